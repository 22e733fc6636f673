using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Custody.Core.Crypto;
using Custody.Core.Hd.Bip32;

namespace Custody.Core.Hd.Slip10;

/// <summary>
/// A SLIP-10 ed25519 node: a 32-byte Ed25519 private key (the RFC 8032 seed) and a chain
/// code, both zeroed on Dispose. Ed25519 has no public-key derivation, so every step is
/// hardened; a normal step is refused, never silently hardened.
/// </summary>
public sealed class Ed25519ExtendedKey : IHdPrivateNode<Ed25519ExtendedKey>
{
    private static readonly byte[] MasterHmacKey = "ed25519 seed"u8.ToArray();

    private readonly SecretBytes _key;
    private readonly SecretBytes _chainCode;
    private byte[]? _publicKey;

    private Ed25519ExtendedKey(SecretBytes key, SecretBytes chainCode, int depth, HdFingerprint parent, uint childNumber)
    {
        _key = key;
        _chainCode = chainCode;
        Depth = depth;
        ParentFingerprint = parent;
        ChildNumber = childNumber;
    }

    public int Depth { get; }

    public HdFingerprint ParentFingerprint { get; }

    public uint ChildNumber { get; }

    /// <summary>The 32-byte Ed25519 private key (RFC 8032 seed); valid until Dispose.</summary>
    public ReadOnlySpan<byte> PrivateKey => _key.Span;

    public ReadOnlySpan<byte> ChainCode => _chainCode.Span;

    /// <summary>The 32-byte Ed25519 public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey ??= Ed25519.GetPublicKey(_key.Span);

    /// <summary>SLIP-10 fingerprint: HASH160 of 0x00 ‖ public key, first 4 bytes.</summary>
    public HdFingerprint Fingerprint
    {
        get
        {
            Span<byte> prefixed = stackalloc byte[33];
            prefixed[0] = 0;
            PublicKey.CopyTo(prefixed[1..]);
            return HdFingerprint.FromPublicKey(prefixed);
        }
    }

    public static Ed25519ExtendedKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length is < ExtendedPrivateKey.MinSeedLength or > ExtendedPrivateKey.MaxSeedLength)
            throw new InvalidInputException("seed",
                $"is {seed.Length} bytes; an HD seed is {ExtendedPrivateKey.MinSeedLength} to {ExtendedPrivateKey.MaxSeedLength}");
        Span<byte> i = stackalloc byte[64];
        try
        {
            HMACSHA512.HashData(MasterHmacKey, seed, i);
            return new Ed25519ExtendedKey(SecretBytes.CopyFrom(i[..32]), SecretBytes.CopyFrom(i[32..]), 0, HdFingerprint.Zero, 0);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(i);
        }
    }

    /// <summary>The hardened child at <paramref name="index"/> (bit 31 must be set).</summary>
    public Ed25519ExtendedKey Derive(uint index)
    {
        if (!KeyPath.IsHardenedIndex(index))
            throw new InvalidInputException("path",
                $"ed25519 (SLIP-10) supports hardened steps only: index {index.ToString(CultureInfo.InvariantCulture)} is normal");
        if (Depth == byte.MaxValue)
            throw new InvalidInputException("path", "HD keys stop at depth 255");
        Span<byte> data = stackalloc byte[37];
        Span<byte> i = stackalloc byte[64];
        try
        {
            data[0] = 0;
            _key.Span.CopyTo(data[1..]);
            BinaryPrimitives.WriteUInt32BigEndian(data[33..], index);
            HMACSHA512.HashData(_chainCode.Span, data, i);
            return new Ed25519ExtendedKey(SecretBytes.CopyFrom(i[..32]), SecretBytes.CopyFrom(i[32..]), Depth + 1, Fingerprint, index);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
            CryptographicOperations.ZeroMemory(i);
        }
    }

    /// <summary>The key at <paramref name="path"/> below this one; every step must be hardened.</summary>
    public Ed25519ExtendedKey Derive(KeyPath path)
    {
        RequireHardened(path, Depth);
        var current = Copy();
        foreach (var index in path.Indexes)
        {
            using var parent = current;
            current = parent.Derive(index);
        }
        return current;
    }

    /// <summary>Refuses a path with a normal step, naming its level (1-based, counted from the master).</summary>
    public static void RequireHardened(KeyPath path, int startDepth = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        for (var level = 0; level < path.Depth; level++)
            if (!KeyPath.IsHardenedIndex(path[level]))
                throw new InvalidInputException("path",
                    $"ed25519 (SLIP-10) supports hardened steps only: level {(startDepth + level + 1).ToString(CultureInfo.InvariantCulture)} is normal");
    }

    public Ed25519ExtendedKey Copy() =>
        new(SecretBytes.CopyFrom(_key.Span), SecretBytes.CopyFrom(_chainCode.Span), Depth, ParentFingerprint, ChildNumber)
        {
            _publicKey = _publicKey,
        };

    public void Dispose()
    {
        _key.Dispose();
        _chainCode.Dispose();
    }

    public override string ToString() =>
        $"Ed25519ExtendedKey(depth {Depth}, parent {ParentFingerprint}, child {ExtendedPrivateKey.ChildText(ChildNumber)})";
}
