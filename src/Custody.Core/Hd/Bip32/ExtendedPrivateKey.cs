using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Crypto;

namespace Custody.Core.Hd.Bip32;

/// <summary>
/// A BIP32 extended private key on secp256k1: key and chain code in pinned buffers
/// zeroed on Dispose, plus depth, parent fingerprint and child number. It does not know
/// its network: that enters only when it is printed (<see cref="ToBase58(ExtendedKeyVersion)"/>).
/// </summary>
public sealed class ExtendedPrivateKey : IHdPrivateNode<ExtendedPrivateKey>
{
    public const int MinSeedLength = 16;
    public const int MaxSeedLength = 64;
    private static readonly byte[] MasterHmacKey = "Bitcoin seed"u8.ToArray();

    private readonly SecretBytes _key;
    private readonly SecretBytes _chainCode;
    private byte[]? _publicKey; // computed once, on first use: a point multiplication

    private ExtendedPrivateKey(SecretBytes key, SecretBytes chainCode, byte depth, HdFingerprint parent, uint childNumber)
    {
        _key = key;
        _chainCode = chainCode;
        Depth = depth;
        ParentFingerprint = parent;
        ChildNumber = childNumber;
    }

    public int Depth { get; }

    public HdFingerprint ParentFingerprint { get; }

    /// <summary>The index this key was derived at (bit 31 set when hardened); 0 for a master key.</summary>
    public uint ChildNumber { get; }

    /// <summary>The 32-byte private key; valid until Dispose.</summary>
    public ReadOnlySpan<byte> PrivateKey => _key.Span;

    public ReadOnlySpan<byte> ChainCode => _chainCode.Span;

    /// <summary>The 33-byte compressed public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey ??= Secp256k1.GetPublicKey(_key.Span);

    public HdFingerprint Fingerprint => HdFingerprint.FromPublicKey(PublicKey);

    /// <summary>The BIP32 master key of a 16- to 64-byte seed.</summary>
    public static ExtendedPrivateKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length is < MinSeedLength or > MaxSeedLength)
            throw new InvalidInputException("seed", $"is {seed.Length} bytes; a BIP32 seed is {MinSeedLength} to {MaxSeedLength}");
        Span<byte> i = stackalloc byte[64];
        try
        {
            HMACSHA512.HashData(MasterHmacKey, seed, i);
            if (!Secp256k1.IsValidPrivateKey(i[..32]))
                throw new InvalidInputException("seed", "gives an invalid BIP32 master key (0 or not below n; odds below 2^-127): use another seed");
            return new ExtendedPrivateKey(SecretBytes.CopyFrom(i[..32]), SecretBytes.CopyFrom(i[32..]), 0, HdFingerprint.Zero, 0);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(i);
        }
    }

    /// <summary>CKDpriv: the child at <paramref name="index"/>; hardened when bit 31 is set.</summary>
    public ExtendedPrivateKey Derive(uint index)
    {
        if (Depth == byte.MaxValue)
            throw new InvalidInputException("path", "BIP32 keys stop at depth 255");
        Span<byte> data = stackalloc byte[37];
        Span<byte> i = stackalloc byte[64];
        var childKey = new SecretBytes(32);
        try
        {
            if (KeyPath.IsHardenedIndex(index))
            {
                data[0] = 0;
                _key.Span.CopyTo(data[1..]);
            }
            else
            {
                PublicKey.CopyTo(data);
            }
            BinaryPrimitives.WriteUInt32BigEndian(data[33..], index);
            HMACSHA512.HashData(_chainCode.Span, data, i);
            if (!Secp256k1.TryAddPrivateKeyTweak(_key.Span, i[..32], childKey.WritableSpan))
                throw InvalidChild(index);
            return new ExtendedPrivateKey(childKey, SecretBytes.CopyFrom(i[32..]), (byte)(Depth + 1), Fingerprint, index);
        }
        catch
        {
            childKey.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
            CryptographicOperations.ZeroMemory(i);
        }
    }

    /// <summary>The key at <paramref name="path"/> below this one; the caller owns it.</summary>
    public ExtendedPrivateKey Derive(KeyPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var current = Copy();
        foreach (var index in path.Indexes)
        {
            using var parent = current;
            current = parent.Derive(index);
        }
        return current;
    }

    public ExtendedPrivateKey Copy() =>
        new(SecretBytes.CopyFrom(_key.Span), SecretBytes.CopyFrom(_chainCode.Span), (byte)Depth, ParentFingerprint, ChildNumber)
        {
            _publicKey = _publicKey,
        };

    /// <summary>The matching extended public key (BIP32 "N").</summary>
    public ExtendedPublicKey Neuter() => new(PublicKey, _chainCode.Span, (byte)Depth, ParentFingerprint, ChildNumber);

    /// <summary>xprv (or tprv, yprv, zprv, …) text. It is the key itself: show it only in a ceremony.</summary>
    public string ToBase58(ExtendedKeyVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        Span<byte> keyData = stackalloc byte[33];
        try
        {
            keyData[0] = 0;
            _key.Span.CopyTo(keyData[1..]);
            return ExtendedKeyEncoding.Encode(version.PrivateVersion, (byte)Depth, ParentFingerprint, ChildNumber, _chainCode.Span, keyData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyData);
        }
    }

    public string ToBase58(BitcoinNetwork network) => ToBase58(ExtendedKeyVersion.For(network));

    /// <summary>Parses any registered private version (xprv, tprv, yprv, zprv, …) with every BIP32 check.</summary>
    public static ExtendedPrivateKey Parse(string text) => Parse(text, out _);

    public static ExtendedPrivateKey Parse(string text, out ExtendedKeyVersion version)
    {
        var data = ExtendedKeyEncoding.Decode(text, expectPrivate: true, out version);
        try
        {
            return new ExtendedPrivateKey(
                SecretBytes.CopyFrom(data.AsSpan(46, 32)),
                SecretBytes.CopyFrom(data.AsSpan(13, 32)),
                data[4],
                HdFingerprint.FromBytes(data.AsSpan(5, 4)),
                BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(9, 4)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    public void Dispose()
    {
        _key.Dispose();
        _chainCode.Dispose();
    }

    public override string ToString() =>
        $"ExtendedPrivateKey(depth {Depth}, parent {ParentFingerprint}, child {ChildText(ChildNumber)})";

    internal static string ChildText(uint index) =>
        (index & ~KeyPath.HardenedBit).ToString(CultureInfo.InvariantCulture) + (KeyPath.IsHardenedIndex(index) ? "'" : "");

    internal static InvalidInputException InvalidChild(uint index) =>
        new("path", $"index {ChildText(index)} gives an invalid BIP32 key (odds below 2^-127): use the next index");
}
