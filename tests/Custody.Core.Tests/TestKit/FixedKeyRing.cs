using System.Text;
using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Tests.TestKit;

/// <summary>
/// A test key ring over fixed secp256k1 private keys by path (no BIP32): either given
/// explicitly (e.g. the WIF keys of the BIP174 workflow) or made up per path as
/// SHA-256(label ‖ path). Signs with libsecp256k1 exactly as a production ring would.
/// </summary>
internal sealed class FixedKeyRing : IKeyRing, IDisposable
{
    private readonly Dictionary<KeyPath, SecretBytes> _keys = [];
    private readonly string? _label;

    private FixedKeyRing(uint? fingerprint, string? label)
    {
        MasterFingerprint = fingerprint;
        _label = label;
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

    public uint? MasterFingerprint { get; }

    public KeyCurve Curve => KeyCurve.Secp256k1;

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

    public byte[] GetPublicKey(KeyPath path) => Secp256k1.GetPublicKey(Key(path));

    public EcdsaSignature SignEcdsa(KeyPath path, ReadOnlySpan<byte> digest32)
    {
        SignatureCount++;
        return Secp256k1.Sign(Key(path), digest32);
    }

    public byte[] SignTaproot(KeyPath path, ReadOnlySpan<byte> sighash32, ReadOnlySpan<byte> merkleRoot)
    {
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

    public byte[] SignEd25519(KeyPath path, ReadOnlySpan<byte> message) => throw new NotSupportedException("secp256k1 keys only");

    public void Dispose()
    {
        foreach (var key in _keys.Values) key.Dispose();
        _keys.Clear();
    }
}
