namespace Custody.Core.Chains.Bitcoin;

/// <summary>
/// The parameters that make a Bitcoin-family network: address prefixes and the
/// BIP32 version bytes. Keys and scripts do not know their network; it enters only
/// when an address or extended key is printed or parsed.
/// </summary>
public sealed record BitcoinNetwork(
    string Name,
    byte PubKeyHashVersion,
    byte ScriptHashVersion,
    byte WifVersion,
    string? Bech32Hrp,
    uint ExtPubVersion,
    uint ExtPrivVersion,
    bool SupportsTaproot) : ChainNetwork
{
    /// <summary>Segwit (and so P2WPKH, P2SH-P2WPKH, P2TR) exists only where a bech32 prefix is defined.</summary>
    public bool SupportsSegwit => Bech32Hrp is not null;

    public static BitcoinNetwork Mainnet { get; } = new("bitcoin", 0x00, 0x05, 0x80, "bc", 0x0488B21E, 0x0488ADE4, true);

    public static BitcoinNetwork Testnet { get; } = new("bitcoin-testnet", 0x6F, 0xC4, 0xEF, "tb", 0x043587CF, 0x04358394, true);

    public static BitcoinNetwork Regtest { get; } = new("bitcoin-regtest", 0x6F, 0xC4, 0xEF, "bcrt", 0x043587CF, 0x04358394, true);

    // Litecoin keeps Bitcoin's xpub/xprv versions in most wallets; its own Ltub/Ltpv are display-only.
    public static BitcoinNetwork Litecoin { get; } = new("litecoin", 0x30, 0x32, 0xB0, "ltc", 0x0488B21E, 0x0488ADE4, true);

    public static BitcoinNetwork LitecoinTestnet { get; } = new("litecoin-testnet", 0x6F, 0x3A, 0xEF, "tltc", 0x043587CF, 0x04358394, true);

    // Dogecoin has no segwit: legacy P2PKH and P2SH only.
    public static BitcoinNetwork Dogecoin { get; } = new("dogecoin", 0x1E, 0x16, 0x9E, null, 0x02FACAFD, 0x02FAC398, false);
}
