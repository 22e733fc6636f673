namespace Custody.Hsm;

/// <summary>The key pair kinds the HSM generates and signs with.</summary>
public enum HsmCurve
{
    /// <summary>ECDSA over secp256k1 (Bitcoin, EVM, TRON); signs 32-byte digests.</summary>
    Secp256k1,

    /// <summary>EdDSA over edwards25519 (Solana); signs whole messages.</summary>
    Ed25519,
}
