using Custody.Core;
using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Hsm;

namespace Custody.Daemon.Wallets;

/// <summary>
/// An HSM-native key as a key ring: one key at path m, signing inside the HSM. The HSM
/// returns r ‖ s without a recovery id; <see cref="Secp256k1.FromRawSignature"/> normalises
/// it to low S and finds the recovery id, as for every other backend.
/// </summary>
public sealed class HsmKeyRing : IKeyRing
{
    private readonly IHsmKeyStore _keys;
    private readonly HsmKeyId _keyId;
    private readonly byte[] _publicKey;

    public HsmKeyRing(IHsmKeyStore keys, HsmKeyId keyId, KeyCurve curve, byte[] publicKey)
    {
        _keys = keys;
        _keyId = keyId;
        _publicKey = publicKey;
        Curve = curve;
    }

    public uint? MasterFingerprint => null;

    public KeyCurve Curve { get; }

    public byte[] GetPublicKey(KeyPath path)
    {
        RequireRoot(path);
        return (byte[])_publicKey.Clone();
    }

    public EcdsaSignature SignEcdsa(KeyPath path, ReadOnlySpan<byte> digest32)
    {
        RequireRoot(path);
        RequireCurve(KeyCurve.Secp256k1);
        var raw = _keys.SignDigest(_keyId, digest32);
        return Secp256k1.FromRawSignature(_publicKey, digest32, raw);
    }

    public byte[] SignTaproot(KeyPath path, ReadOnlySpan<byte> sighash32, ReadOnlySpan<byte> merkleRoot) =>
        throw NoSchnorr();

    public byte[] SignSchnorr(KeyPath path, ReadOnlySpan<byte> sighash32) => throw NoSchnorr();

    private static InvalidInputException NoSchnorr() =>
        new("path", "an HSM-native key cannot make BIP340 signatures (PKCS#11 has no Schnorr mechanism); use an HD wallet for taproot key and script paths");

    public byte[] SignEd25519(KeyPath path, ReadOnlySpan<byte> message)
    {
        RequireRoot(path);
        RequireCurve(KeyCurve.Ed25519);
        return _keys.SignMessage(_keyId, message);
    }

    private static void RequireRoot(KeyPath path)
    {
        if (path != KeyPath.Root)
            throw new InvalidInputException("path", $"an HSM-native wallet has a single key at m, not {path}");
    }

    private void RequireCurve(KeyCurve wanted)
    {
        if (Curve != wanted)
            throw new InvalidInputException("chain", $"this HSM-native key is {Curve}, the chain needs {wanted}");
    }

    public override string ToString() => $"HsmKeyRing({Curve}, {_keyId})";
}
