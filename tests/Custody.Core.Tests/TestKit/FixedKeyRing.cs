using System.Text;
using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Tests.TestKit;

/// <summary>
/// A test key ring over fixed secp256k1 private keys (or Ed25519 seeds) by path (no BIP32):
/// either given explicitly (e.g. the WIF keys of the BIP174 workflow, a vector's one key) or
/// made up per path as SHA-256(label ‖ path). Signs with libsecp256k1 / Ed25519 exactly as a
/// production ring would.
/// </summary>
internal sealed class FixedKeyRing : IKeyRing, IDisposable
{
    private readonly Dictionary<KeyPath, SecretBytes> _keys = [];
    private readonly string? _label;

    private FixedKeyRing(uint? fingerprint, string? label, KeyCurve curve = KeyCurve.Secp256k1)
    {
        MasterFingerprint = fingerprint;
        _label = label;
        Curve = curve;
    }

    /// <summary>Keys made up for any path from <paramref name="label"/>.</summary>
    public static FixedKeyRing Deterministic(uint fingerprint, string label = "custody-test") => new(fingerprint, label);

    /// <summary>Only the given keys; any other path is an error.</summary>
    public static FixedKeyRing Of(uint? fingerprint, params (KeyPath Path, byte[] PrivateKey)[] keys)
    {
        var ring = new FixedKeyRing(fingerprint, null);
        foreach (var (path, key) in keys) ring._keys[path] = SecretBytes.CopyFrom(key);
        return ring;
    }

    /// <summary>One secp256k1 key at m, as hex (0x optional): the shape of single-key vectors.</summary>
    public static FixedKeyRing Single(string privateKeyHex) => Of(null, (KeyPath.Root, FromHex(privateKeyHex)));

    /// <summary>One Ed25519 seed at m, as hex.</summary>
    public static FixedKeyRing SingleEd25519(string seedHex)
    {
        var ring = new FixedKeyRing(null, null, KeyCurve.Ed25519);
        ring._keys[KeyPath.Root] = SecretBytes.CopyFrom(FromHex(seedHex));
        return ring;
    }

    private static byte[] FromHex(string hex) => Convert.FromHexString(hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex);

    public uint? MasterFingerprint { get; }

    public KeyCurve Curve { get; }

    public int SignatureCount { get; private set; }

    private ReadOnlySpan<byte> Key(KeyPath path)
    {
        if (!_keys.TryGetValue(path, out var key))
        {
            if (_label is null) throw new InvalidOperationException($"no key at {path}");
            key = SecretBytes.CopyFrom(Hashes.Sha256(Encoding.UTF8.GetBytes(_label + path)));
            _keys[path] = key;
        }
        return key.Span;
    }

    public byte[] PrivateKey(KeyPath path) => Key(path).ToArray();

    public byte[] GetPublicKey(KeyPath path) =>
        Curve == KeyCurve.Ed25519 ? Ed25519.GetPublicKey(Key(path)) : Secp256k1.GetPublicKey(Key(path));

    public EcdsaSignature SignEcdsa(KeyPath path, ReadOnlySpan<byte> digest32)
    {
        Require(KeyCurve.Secp256k1);
        SignatureCount++;
        return Secp256k1.Sign(Key(path), digest32);
    }

    public byte[] SignTaproot(KeyPath path, ReadOnlySpan<byte> sighash32, ReadOnlySpan<byte> merkleRoot)
    {
        Require(KeyCurve.Secp256k1);
        SignatureCount++;
        Span<byte> tweaked = stackalloc byte[32];
        try
        {
            Secp256k1.TaprootTweakPrivateKey(Key(path), merkleRoot, tweaked);
            return Secp256k1.SignSchnorr(tweaked, sighash32, new byte[32]);
        }
        finally
        {
            tweaked.Clear();
        }
    }

    public byte[] SignSchnorr(KeyPath path, ReadOnlySpan<byte> sighash32)
    {
        Require(KeyCurve.Secp256k1);
        SignatureCount++;
        return Secp256k1.SignSchnorr(Key(path), sighash32, new byte[32]);
    }

    public byte[] SignEd25519(KeyPath path, ReadOnlySpan<byte> message)
    {
        Require(KeyCurve.Ed25519);
        SignatureCount++;
        return Ed25519.Sign(Key(path), message);
    }

    private void Require(KeyCurve curve)
    {
        if (Curve != curve) throw new NotSupportedException($"this ring holds {Curve} keys");
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values) key.Dispose();
        _keys.Clear();
    }
}
