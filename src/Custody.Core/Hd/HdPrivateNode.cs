using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Custody.Core.Crypto;
using Custody.Core.Hd.Bip32;

namespace Custody.Core.Hd;

/// <summary>
/// What a BIP32 and a SLIP-10 private node share: key and chain code in pinned buffers zeroed on
/// Dispose, depth, parent fingerprint and child number, the public key and fingerprint computed
/// once, the HMAC-SHA512 of each step, path walking and copying. The curves differ only in how a
/// child is formed from that HMAC, in the public key, and in the fingerprint.
/// </summary>
public abstract class HdPrivateNode<TSelf> : IHdPrivateNode<TSelf> where TSelf : HdPrivateNode<TSelf>
{
    public const int MinSeedLength = 16;
    public const int MaxSeedLength = 64;

    private readonly SecretBytes _key;
    private readonly SecretBytes _chainCode;
    private byte[]? _publicKey; // computed once, on first use: a point multiplication
    private HdFingerprint? _fingerprint; // asked by every child derived from this node

    private protected HdPrivateNode(SecretBytes key, SecretBytes chainCode, int depth, HdFingerprint parent, uint childNumber)
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

    public ReadOnlySpan<byte> PublicKey => _publicKey ??= ComputePublicKey(_key.Span);

    public HdFingerprint Fingerprint => _fingerprint ??= ComputeFingerprint(PublicKey);

    /// <summary>The child at <paramref name="index"/>; the caller owns it.</summary>
    public abstract TSelf Derive(uint index);

    /// <summary>The key at <paramref name="path"/> below this one; the caller owns it.</summary>
    public virtual TSelf Derive(KeyPath path)
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

    public TSelf Copy()
    {
        var copy = Create(SecretBytes.CopyFrom(_key.Span), SecretBytes.CopyFrom(_chainCode.Span), Depth, ParentFingerprint, ChildNumber);
        copy._publicKey = _publicKey;
        copy._fingerprint = _fingerprint;
        return copy;
    }

    public void Dispose()
    {
        _key.Dispose();
        _chainCode.Dispose();
        GC.SuppressFinalize(this);
    }

    public override string ToString() => $"{GetType().Name}(depth {Depth}, parent {ParentFingerprint}, child {ChildText(ChildNumber)})";

    private protected abstract byte[] ComputePublicKey(ReadOnlySpan<byte> privateKey);

    private protected abstract HdFingerprint ComputeFingerprint(ReadOnlySpan<byte> publicKey);

    private protected abstract TSelf Create(SecretBytes key, SecretBytes chainCode, int depth, HdFingerprint parent, uint childNumber);

    /// <summary>
    /// The master node: HMAC-SHA512 of the seed under the curve's key; <paramref name="accept"/>
    /// may refuse the left half as a private key.
    /// </summary>
    private protected static TSelf Master(ReadOnlySpan<byte> hmacKey, ReadOnlySpan<byte> seed,
        Func<SecretBytes, SecretBytes, TSelf> create, Action<ReadOnlySpan<byte>>? accept = null)
    {
        if (seed.Length is < MinSeedLength or > MaxSeedLength)
            throw new InvalidInputException("seed", $"is {seed.Length} bytes; an HD seed is {MinSeedLength} to {MaxSeedLength}");
        Span<byte> i = stackalloc byte[64];
        try
        {
            HMACSHA512.HashData(hmacKey, seed, i);
            accept?.Invoke(i[..32]);
            return create(SecretBytes.CopyFrom(i[..32]), SecretBytes.CopyFrom(i[32..]));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(i);
        }
    }

    /// <summary>
    /// One step: HMAC-SHA512 under this chain code of <c>0x00 ‖ key</c> (hardened) or of the
    /// public key (normal) followed by the index; <paramref name="childKey"/> turns the left half
    /// into the child's key, the right half is its chain code.
    /// </summary>
    private protected TSelf Step(uint index, Func<ReadOnlySpan<byte>, SecretBytes> childKey)
    {
        if (Depth == byte.MaxValue)
            throw new InvalidInputException("path", "HD keys stop at depth 255");
        Span<byte> data = stackalloc byte[37];
        Span<byte> i = stackalloc byte[64];
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
            var key = childKey(i[..32]);
            try
            {
                return Create(key, SecretBytes.CopyFrom(i[32..]), Depth + 1, Fingerprint, index);
            }
            catch
            {
                key.Dispose();
                throw;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
            CryptographicOperations.ZeroMemory(i);
        }
    }

    internal static string ChildText(uint index) =>
        (index & ~KeyPath.HardenedBit).ToString(CultureInfo.InvariantCulture) + (KeyPath.IsHardenedIndex(index) ? "'" : "");
}
