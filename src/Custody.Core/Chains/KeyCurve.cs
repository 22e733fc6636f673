namespace Custody.Core.Chains;

/// <summary>The curve a chain's keys live on; it decides BIP32 versus SLIP-10 derivation.</summary>
public enum KeyCurve
{
    Secp256k1,
    Ed25519,
}
