using System.Buffers.Binary;
using System.Security.Cryptography;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Crypto;

namespace Custody.Core.Hd.Bip32;

/// <summary>
/// A BIP32 extended public key on secp256k1: immutable, derives normal (non-hardened)
/// children without any private material. Account xpubs are how addresses are made
/// without unsealing a seed.
/// </summary>
public sealed class ExtendedPublicKey : IEquatable<ExtendedPublicKey>
{
    private readonly byte[] _publicKey;
    private readonly byte[] _chainCode;

    internal ExtendedPublicKey(ReadOnlySpan<byte> publicKey33, ReadOnlySpan<byte> chainCode, byte depth, HdFingerprint parent, uint childNumber)
    {
        _publicKey = publicKey33.ToArray();
        _chainCode = chainCode.ToArray();
        Depth = depth;
        ParentFingerprint = parent;
        ChildNumber = childNumber;
    }

    public int Depth { get; }

    public HdFingerprint ParentFingerprint { get; }

    public uint ChildNumber { get; }

    /// <summary>The 33-byte compressed public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    public ReadOnlySpan<byte> ChainCode => _chainCode;

    public HdFingerprint Fingerprint => HdFingerprint.FromPublicKey(_publicKey);

    /// <summary>CKDpub: the normal child at <paramref name="index"/>.</summary>
    public ExtendedPublicKey Derive(uint index)
    {
        if (KeyPath.IsHardenedIndex(index))
            throw new InvalidInputException("path",
                $"hardened step {ExtendedPrivateKey.ChildText(index)} needs the private key; a public key derives normal steps only");
        if (Depth == byte.MaxValue)
            throw new InvalidInputException("path", "BIP32 keys stop at depth 255");
        Span<byte> data = stackalloc byte[37];
        Span<byte> i = stackalloc byte[64];
        _publicKey.CopyTo(data);
        BinaryPrimitives.WriteUInt32BigEndian(data[33..], index);
        HMACSHA512.HashData(_chainCode, data, i);
        if (!Secp256k1.TryAddPublicKeyTweak(_publicKey, i[..32], out var child))
            throw ExtendedPrivateKey.InvalidChild(index);
        return new ExtendedPublicKey(child, i[32..], (byte)(Depth + 1), Fingerprint, index);
    }

    public ExtendedPublicKey Derive(KeyPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var current = this;
        foreach (var index in path.Indexes) current = current.Derive(index);
        return current;
    }

    public string ToBase58(ExtendedKeyVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return ExtendedKeyEncoding.Encode(version.PublicVersion, (byte)Depth, ParentFingerprint, ChildNumber, _chainCode, _publicKey);
    }

    public string ToBase58(BitcoinNetwork network) => ToBase58(ExtendedKeyVersion.For(network));

    /// <summary>Parses any registered public version (xpub, tpub, ypub, zpub, …) with every BIP32 check.</summary>
    public static ExtendedPublicKey Parse(string text) => Parse(text, out _);

    public static ExtendedPublicKey Parse(string text, out ExtendedKeyVersion version)
    {
        var data = ExtendedKeyEncoding.Decode(text, expectPrivate: false, out version);
        return new ExtendedPublicKey(data.AsSpan(45, 33), data.AsSpan(13, 32), data[4],
            HdFingerprint.FromBytes(data.AsSpan(5, 4)), BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(9, 4)));
    }

    public bool Equals(ExtendedPublicKey? other) =>
        other is not null && Depth == other.Depth && ParentFingerprint == other.ParentFingerprint &&
        ChildNumber == other.ChildNumber && _publicKey.AsSpan().SequenceEqual(other._publicKey) &&
        _chainCode.AsSpan().SequenceEqual(other._chainCode);

    public override bool Equals(object? obj) => Equals(obj as ExtendedPublicKey);

    public override int GetHashCode() => HashCode.Combine(Depth, ParentFingerprint, ChildNumber, BinaryPrimitives.ReadInt32BigEndian(_publicKey.AsSpan(1)));

    public override string ToString() =>
        $"ExtendedPublicKey(depth {Depth}, fingerprint {Fingerprint}, child {ExtendedPrivateKey.ChildText(ChildNumber)})";
}
