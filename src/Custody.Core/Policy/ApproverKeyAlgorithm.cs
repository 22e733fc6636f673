namespace Custody.Core.Policy;

/// <summary>The signature schemes an approver's key may use.</summary>
public enum ApproverKeyAlgorithm
{
    /// <summary>RFC 8032 Ed25519; a 32-byte public key, 64-byte signatures over the statement bytes.</summary>
    Ed25519,

    /// <summary>ECDSA on NIST P-256 with SHA-256; r‖s (64 bytes) or DER signatures — what WebAuthn and most HSMs and phones produce.</summary>
    P256,

    /// <summary>A WebAuthn credential (passkey) with ES256 (P-256): approvals are assertions whose challenge is SHA-256 of the statement.</summary>
    PasskeyEs256,

    /// <summary>A WebAuthn credential (passkey) with EdDSA (Ed25519), as ES256 otherwise.</summary>
    PasskeyEdDsa,
}
