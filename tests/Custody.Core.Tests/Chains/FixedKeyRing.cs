using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Tests.Chains;

/// <summary>
/// A test key ring over fixed private keys (secp256k1) or Ed25519 seeds, one per path,
/// signing with the real primitives. Counts signatures so tests can prove a refusal
/// happened before any key was used.
/// </summary>
internal sealed class FixedKeyRing : IKeyRing
{
    private readonly Dictionary<KeyPath, byte[]> _keys = [];

    public FixedKeyRing(KeyCurve curve) => Curve = curve;

    /// <summary>One secp256k1 key at path m.</summary>
    public static FixedKeyRing Secp256k1Key(string hex) => new FixedKeyRing(KeyCurve.Secp256k1).With(KeyPath.Root, hex);

    /// <summary>One Ed25519 seed at path m.</summary>
    public static FixedKeyRing Ed25519Seed(string hex) => new FixedKeyRing(KeyCurve.Ed25519).With(KeyPath.Root, hex);

    public FixedKeyRing With(KeyPath path, string hex)
    {
        _keys[path] = Convert.FromHexString(hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex);
        return this;
    }

    public int Signatures { get; private set; }

    public uint? MasterFingerprint => null;

    public KeyCurve Curve { get; }

    public byte[] GetPublicKey(KeyPath path) =>
        Curve == KeyCurve.Ed25519 ? Ed25519.GetPublicKey(Key(path)) : Secp256k1.GetPublicKey(Key(path));

    public EcdsaSignature SignEcdsa(KeyPath path, ReadOnlySpan<byte> digest32)
    {
        Require(KeyCurve.Secp256k1);
        Signatures++;
        return Secp256k1.Sign(Key(path), digest32);
    }

    public byte[] SignTaproot(KeyPath path, ReadOnlySpan<byte> sighash32, ReadOnlySpan<byte> merkleRoot)
    {
        Require(KeyCurve.Secp256k1);
        Signatures++;
        Span<byte> tweaked = stackalloc byte[32];
        Secp256k1.TaprootTweakPrivateKey(Key(path), merkleRoot, tweaked);
        return Secp256k1.SignSchnorr(tweaked, sighash32, new byte[32]);
    }

    public byte[] SignEd25519(KeyPath path, ReadOnlySpan<byte> message)
    {
        Require(KeyCurve.Ed25519);
        Signatures++;
        return Ed25519.Sign(Key(path), message);
    }

    private byte[] Key(KeyPath path) =>
        _keys.TryGetValue(path, out var key) ? key : throw new InvalidOperationException($"no test key at {path}");

    private void Require(KeyCurve curve)
    {
        if (Curve != curve) throw new InvalidOperationException($"this ring holds {Curve} keys");
    }
}
