namespace Custody.Core.Chains.Bitcoin;

/// <summary>The single-key address kinds Custody derives (BIP44 / 49 / 84 / 86).</summary>
public enum BitcoinAddressKind
{
    /// <summary>Pay to public key hash, Base58Check (BIP44).</summary>
    P2pkh,

    /// <summary>P2WPKH nested in P2SH, Base58Check (BIP49).</summary>
    P2shP2wpkh,

    /// <summary>Native segwit v0 key hash, Bech32 (BIP84).</summary>
    P2wpkh,

    /// <summary>Taproot key path with the BIP86 tweak, Bech32m.</summary>
    P2tr,
}
