using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Chains;

/// <summary>
/// The keys of one wallet as a chain signer sees them: public keys and signatures
/// by derivation path, never the private bytes. An HD wallet implements it in
/// process from a seed unsealed for one operation; an HSM-native key implements it
/// inside the HSM (one key, path Root). Chain code applies low-S and recovery ids
/// through <see cref="EcdsaSignature"/>, so every backend gets them right.
/// </summary>
public interface IKeyRing
{
    /// <summary>BIP32 fingerprint of the master key, or null for a single non-HD key.</summary>
    uint? MasterFingerprint { get; }

    /// <summary>The curve of every key in this ring.</summary>
    KeyCurve Curve { get; }

    /// <summary>33-byte compressed secp256k1 key, or 32-byte Ed25519 key, at <paramref name="path"/>.</summary>
    byte[] GetPublicKey(KeyPath path);

    /// <summary>
    /// ECDSA over a 32-byte digest: RFC 6979 or HSM nonce, low-S, verified before it returns:
    /// its recovery id recovers exactly <see cref="GetPublicKey"/>(<paramref name="path"/>).
    /// </summary>
    EcdsaSignature SignEcdsa(KeyPath path, ReadOnlySpan<byte> digest32);

    /// <summary>
    /// BIP340 signature with the key at <paramref name="path"/> tweaked as BIP341
    /// says (BIP86 when <paramref name="merkleRoot"/> is empty).
    /// </summary>
    byte[] SignTaproot(KeyPath path, ReadOnlySpan<byte> sighash32, ReadOnlySpan<byte> merkleRoot);

    /// <summary>
    /// BIP340 signature with the key at <paramref name="path"/> itself, untweaked: the form a
    /// tapscript leaf's OP_CHECKSIG / OP_CHECKSIGADD checks against the leaf's x-only key.
    /// </summary>
    byte[] SignSchnorr(KeyPath path, ReadOnlySpan<byte> sighash32);

    /// <summary>Ed25519 signature over the whole message.</summary>
    byte[] SignEd25519(KeyPath path, ReadOnlySpan<byte> message);
}
