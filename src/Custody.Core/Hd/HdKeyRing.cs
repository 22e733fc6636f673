using System.Security.Cryptography;
using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd.Bip32;
using Custody.Core.Hd.Slip10;

namespace Custody.Core.Hd;

/// <summary>
/// The keys of an HD wallet in process: BIP32 on secp256k1 or SLIP-10 on ed25519, from a
/// seed unsealed for one operation. It keeps only the master node (the seed is not needed
/// after it) and the inner nodes of paths it derived; each leaf private key is zeroed as
/// soon as its signature is made, and Dispose zeroes everything else. Every signature is
/// verified against the public key before it is returned.
/// </summary>
public sealed class HdKeyRing : IKeyRing, IDisposable
{
    private readonly DerivationCache<ExtendedPrivateKey>? _secp256k1;
    private readonly DerivationCache<Ed25519ExtendedKey>? _ed25519;

    // Public keys of the leaves signed with (public data): a ring kept open for a busy wallet
    // then computes each address's point once, not twice per signature.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<KeyPath, byte[]> _publicKeys = new();
    private const int MaxPublicKeys = 4096;
    private volatile bool _disposed;

    /// <summary>
    /// Derives the master node of <paramref name="seed"/> on <paramref name="curve"/>. The ring
    /// does not keep or dispose <paramref name="seed"/>: the caller clears it.
    /// </summary>
    public HdKeyRing(SecretBytes seed, KeyCurve curve)
    {
        ArgumentNullException.ThrowIfNull(seed);
        Curve = curve;
        switch (curve)
        {
            case KeyCurve.Secp256k1:
                var master = ExtendedPrivateKey.FromSeed(seed.Span);
                MasterFingerprint = master.Fingerprint.Value;
                _secp256k1 = new DerivationCache<ExtendedPrivateKey>(master);
                break;
            case KeyCurve.Ed25519:
                var edMaster = Ed25519ExtendedKey.FromSeed(seed.Span);
                MasterFingerprint = edMaster.Fingerprint.Value;
                _ed25519 = new DerivationCache<Ed25519ExtendedKey>(edMaster);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(curve), curve, "unknown curve");
        }
    }

    /// <summary>
    /// BIP32 fingerprint of the master key; for ed25519 the SLIP-10 one (HASH160 of 0x00 ‖ key),
    /// which SLIP-10 defines and which tells two ed25519 wallets apart just as well.
    /// </summary>
    public uint? MasterFingerprint { get; }

    public KeyCurve Curve { get; }

    public byte[] GetPublicKey(KeyPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_publicKeys.TryGetValue(path, out var known)) return (byte[])known.Clone();
        if (_secp256k1 is not null)
        {
            using var key = _secp256k1.Derive(path);
            return (byte[])Remember(path, key.PublicKey).Clone();
        }
        using var edKey = DeriveEd25519(path);
        return (byte[])Remember(path, edKey.PublicKey).Clone();
    }

    public EcdsaSignature SignEcdsa(KeyPath path, ReadOnlySpan<byte> digest32)
    {
        using var key = DeriveSecp256k1(path, "ECDSA");
        var signature = Secp256k1.Sign(key.PrivateKey, digest32);
        // Verified by recovery: the recovered point is the one key the signature verifies
        // under with this id, so this checks the signature and its recovery id at once.
        var expected = _publicKeys.TryGetValue(path, out var known) ? known : Remember(path, key.PublicKey);
        if (!Secp256k1.TryRecover(digest32, signature.ToCompact(), signature.RecoveryId, compressed: true, out var recovered) ||
            !recovered.AsSpan().SequenceEqual(expected))
            throw new CryptographicException("ECDSA signature failed verification against its own public key");
        return signature;
    }

    private byte[] Remember(KeyPath path, ReadOnlySpan<byte> publicKey)
    {
        if (_publicKeys.Count >= MaxPublicKeys) _publicKeys.Clear();
        return _publicKeys.GetOrAdd(path, publicKey.ToArray());
    }

    public byte[] SignTaproot(KeyPath path, ReadOnlySpan<byte> sighash32, ReadOnlySpan<byte> merkleRoot)
    {
        using var key = DeriveSecp256k1(path, "taproot");
        Span<byte> tweaked = stackalloc byte[32];
        try
        {
            Secp256k1.TaprootTweakPrivateKey(key.PrivateKey, merkleRoot, tweaked);
            return SignBip340(tweaked, sighash32, Secp256k1.TaprootOutputKey(key.PublicKey[1..], merkleRoot));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(tweaked);
        }
    }

    public byte[] SignSchnorr(KeyPath path, ReadOnlySpan<byte> sighash32)
    {
        using var key = DeriveSecp256k1(path, "Schnorr");
        return SignBip340(key.PrivateKey, sighash32, key.PublicKey[1..]);
    }

    // BIP340 with fresh auxiliary randomness (its recommendation, against fault and side-channel attacks), verified under the x-only key it must match.
    private static byte[] SignBip340(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> sighash32, ReadOnlySpan<byte> xonly)
    {
        Span<byte> auxRand = stackalloc byte[32];
        RandomNumberGenerator.Fill(auxRand);
        var signature = Secp256k1.SignSchnorr(privateKey, sighash32, auxRand);
        if (!Secp256k1.VerifySchnorr(xonly, sighash32, signature))
            throw new CryptographicException("BIP340 signature failed verification against its own x-only key");
        return signature;
    }

    public byte[] SignEd25519(KeyPath path, ReadOnlySpan<byte> message)
    {
        using var key = DeriveEd25519(path);
        var signature = Ed25519.Sign(key.PrivateKey, message);
        if (!Ed25519.Verify(key.PublicKey, message, signature))
            throw new CryptographicException("Ed25519 signature failed verification against its own public key");
        return signature;
    }

    private ExtendedPrivateKey DeriveSecp256k1(KeyPath path, string what) =>
        _secp256k1?.Derive(path) ?? throw new InvalidOperationException($"{what} signing needs a secp256k1 key ring, this one is {Curve}");

    private Ed25519ExtendedKey DeriveEd25519(KeyPath path)
    {
        if (_ed25519 is null) throw new InvalidOperationException($"Ed25519 signing needs an ed25519 key ring, this one is {Curve}");
        Ed25519ExtendedKey.RequireHardened(path);
        return _ed25519.Derive(path);
    }

    public void Dispose()
    {
        _disposed = true;
        _publicKeys.Clear();
        _secp256k1?.Dispose();
        _ed25519?.Dispose();
    }

    public override string ToString() => $"HdKeyRing({Curve}, master {MasterFingerprint:x8})";
}
