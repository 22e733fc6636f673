namespace Custody.Core.Policy;

/// <summary>The signature schemes an approver's key may use.</summary>
public enum ApproverKeyAlgorithm
{
    /// <summary>RFC 8032 Ed25519; a 32-byte public key, 64-byte signatures over the statement bytes.</summary>
    Ed25519,

    /// <summary>ECDSA on NIST P-256 with SHA-256; r‖s (64 bytes) or DER signatures — what WebAuthn and most HSMs and phones produce.</summary>
    P256,
}
