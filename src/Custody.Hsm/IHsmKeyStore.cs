using Custody.Core.Chains;

namespace Custody.Hsm;

/// <summary>
/// Key pairs generated inside the HSM, never extractable, addressed by <see cref="HsmKeyId"/>. Thread-safe.
/// </summary>
public interface IHsmKeyStore
{
    HsmKeyInfo Generate(KeyCurve curve);

    /// <summary>The public half of a key; <see cref="HsmError.KeyNotFound"/> when there is no such key.</summary>
    HsmKeyInfo Get(HsmKeyId id);

    /// <summary>Every key pair this store created that is still on the token.</summary>
    IReadOnlyList<HsmKeyInfo> List();

    /// <summary>
    /// ECDSA (CKM_ECDSA) over a 32-byte digest with a secp256k1 key: r ‖ s, 64 bytes, normalised to
    /// low S. The recovery id is not known to the HSM; chain code computes it.
    /// </summary>
    byte[] SignDigest(HsmKeyId id, ReadOnlySpan<byte> digest32);

    /// <summary>Ed25519 (CKM_EDDSA, pure) over a whole message: 64 bytes.</summary>
    byte[] SignMessage(HsmKeyId id, ReadOnlySpan<byte> message);

    /// <summary>Destroys both halves of a key pair; true when something was destroyed.</summary>
    bool Destroy(HsmKeyId id);
}
