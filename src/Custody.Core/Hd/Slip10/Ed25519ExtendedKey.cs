using System.Globalization;
using Custody.Core.Crypto;
using Custody.Core.Hd.Bip32;

namespace Custody.Core.Hd.Slip10;

/// <summary>
/// A SLIP-10 ed25519 node: a 32-byte Ed25519 private key (the RFC 8032 seed) and a chain
/// code, both zeroed on Dispose. Ed25519 has no public-key derivation, so every step is
/// hardened; a normal step is refused, never silently hardened.
/// </summary>
public sealed class Ed25519ExtendedKey : HdPrivateNode<Ed25519ExtendedKey>
{
    private static readonly byte[] MasterHmacKey = "ed25519 seed"u8.ToArray();

    private Ed25519ExtendedKey(SecretBytes key, SecretBytes chainCode, int depth, HdFingerprint parent, uint childNumber)
        : base(key, chainCode, depth, parent, childNumber)
    {
    }

    public static Ed25519ExtendedKey FromSeed(ReadOnlySpan<byte> seed) =>
        Master(MasterHmacKey, seed, (key, chainCode) => new Ed25519ExtendedKey(key, chainCode, 0, HdFingerprint.Zero, 0));

    /// <summary>The hardened child at <paramref name="index"/> (bit 31 must be set).</summary>
    public override Ed25519ExtendedKey Derive(uint index)
    {
        if (!KeyPath.IsHardenedIndex(index))
            throw new InvalidInputException("path",
                $"ed25519 (SLIP-10) supports hardened steps only: index {index.ToString(CultureInfo.InvariantCulture)} is normal");
        return Step(index, left => SecretBytes.CopyFrom(left)); // SLIP-10 ed25519: the left half is the key
    }

    /// <summary>The key at <paramref name="path"/> below this one; every step must be hardened.</summary>
    public override Ed25519ExtendedKey Derive(KeyPath path)
    {
        RequireHardened(path, Depth);
        return base.Derive(path);
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

    private protected override byte[] ComputePublicKey(ReadOnlySpan<byte> privateKey) => Ed25519.GetPublicKey(privateKey);

    /// <summary>SLIP-10 fingerprint: HASH160 of 0x00 ‖ public key, first 4 bytes.</summary>
    private protected override HdFingerprint ComputeFingerprint(ReadOnlySpan<byte> publicKey)
    {
        Span<byte> prefixed = stackalloc byte[33];
        prefixed[0] = 0;
        publicKey.CopyTo(prefixed[1..]);
        return HdFingerprint.FromPublicKey(prefixed);
    }

    private protected override Ed25519ExtendedKey Create(SecretBytes key, SecretBytes chainCode, int depth, HdFingerprint parent, uint childNumber) =>
        new(key, chainCode, depth, parent, childNumber);
}
