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
public sealed class ExtendedPrivateKey : HdPrivateNode<ExtendedPrivateKey>
{
    private static readonly byte[] MasterHmacKey = "Bitcoin seed"u8.ToArray();

    private ExtendedPrivateKey(SecretBytes key, SecretBytes chainCode, int depth, HdFingerprint parent, uint childNumber)
        : base(key, chainCode, depth, parent, childNumber)
    {
    }

    /// <summary>The BIP32 master key of a 16- to 64-byte seed.</summary>
    public static ExtendedPrivateKey FromSeed(ReadOnlySpan<byte> seed) =>
        Master(MasterHmacKey, seed, (key, chainCode) => new ExtendedPrivateKey(key, chainCode, 0, HdFingerprint.Zero, 0), left =>
        {
            if (!Secp256k1.IsValidPrivateKey(left))
                throw new InvalidInputException("seed", "gives an invalid BIP32 master key (0 or not below n; odds below 2^-127): use another seed");
        });

    /// <summary>CKDpriv: the child at <paramref name="index"/>; hardened when bit 31 is set.</summary>
    public override ExtendedPrivateKey Derive(uint index) => Step(index, tweak =>
    {
        var childKey = new SecretBytes(32);
        if (Secp256k1.TryAddPrivateKeyTweak(PrivateKey, tweak, childKey.WritableSpan)) return childKey;
        childKey.Dispose();
        throw InvalidChild(index);
    });

    private protected override byte[] ComputePublicKey(ReadOnlySpan<byte> privateKey) => Secp256k1.GetPublicKey(privateKey);

    private protected override HdFingerprint ComputeFingerprint(ReadOnlySpan<byte> publicKey) => HdFingerprint.FromPublicKey(publicKey);

    private protected override ExtendedPrivateKey Create(SecretBytes key, SecretBytes chainCode, int depth, HdFingerprint parent, uint childNumber) =>
        new(key, chainCode, depth, parent, childNumber);

    /// <summary>The matching extended public key (BIP32 "N").</summary>
    public ExtendedPublicKey Neuter() => new(PublicKey, ChainCode, (byte)Depth, ParentFingerprint, ChildNumber);

    /// <summary>xprv (or tprv, yprv, zprv, …) text. It is the key itself: show it only in a ceremony.</summary>
    public string ToBase58(ExtendedKeyVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        Span<byte> keyData = stackalloc byte[33];
        try
        {
            keyData[0] = 0;
            PrivateKey.CopyTo(keyData[1..]);
            return ExtendedKeyEncoding.Encode(version.PrivateVersion, (byte)Depth, ParentFingerprint, ChildNumber, ChainCode, keyData);
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

    internal static InvalidInputException InvalidChild(uint index) =>
        new("path", $"index {ChildText(index)} gives an invalid BIP32 key (odds below 2^-127): use the next index");
}
