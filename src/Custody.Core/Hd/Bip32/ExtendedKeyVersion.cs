using Custody.Core.Chains.Bitcoin;

namespace Custody.Core.Hd.Bip32;

/// <summary>
/// A pair of BIP32 version bytes as registered in SLIP-132: the four bytes that make an
/// extended key print as xpub/xprv, ypub/yprv, zpub/zprv and so on. The version only
/// labels the key for people and wallets; the key itself is the same. Parsing accepts
/// every registered version; printing uses the network's own (xpub for bitcoin) unless
/// asked for a SLIP-132 form.
/// </summary>
/// <param name="Use">The output type SLIP-132 registers the pair for.</param>
public sealed record ExtendedKeyVersion(string PublicPrefix, uint PublicVersion, string PrivatePrefix, uint PrivateVersion, string Use)
{
    public static ExtendedKeyVersion Xpub { get; } = new("xpub", 0x0488B21E, "xprv", 0x0488ADE4, "P2PKH or P2SH (bitcoin)");
    public static ExtendedKeyVersion Ypub { get; } = new("ypub", 0x049D7CB2, "yprv", 0x049D7878, "P2WPKH in P2SH (bitcoin)");
    public static ExtendedKeyVersion Zpub { get; } = new("zpub", 0x04B24746, "zprv", 0x04B2430C, "P2WPKH (bitcoin)");
    public static ExtendedKeyVersion YpubMultisig { get; } = new("Ypub", 0x0295B43F, "Yprv", 0x0295B005, "P2WSH in P2SH (bitcoin)");
    public static ExtendedKeyVersion ZpubMultisig { get; } = new("Zpub", 0x02AA7ED3, "Zprv", 0x02AA7A99, "P2WSH (bitcoin)");
    public static ExtendedKeyVersion Tpub { get; } = new("tpub", 0x043587CF, "tprv", 0x04358394, "P2PKH or P2SH (testnet)");
    public static ExtendedKeyVersion Upub { get; } = new("upub", 0x044A5262, "uprv", 0x044A4E28, "P2WPKH in P2SH (testnet)");
    public static ExtendedKeyVersion Vpub { get; } = new("vpub", 0x045F1CF6, "vprv", 0x045F18BC, "P2WPKH (testnet)");
    public static ExtendedKeyVersion UpubMultisig { get; } = new("Upub", 0x024289EF, "Uprv", 0x024285B5, "P2WSH in P2SH (testnet)");
    public static ExtendedKeyVersion VpubMultisig { get; } = new("Vpub", 0x02575483, "Vprv", 0x02575048, "P2WSH (testnet)");
    public static ExtendedKeyVersion Ltub { get; } = new("Ltub", 0x019DA462, "Ltpv", 0x019D9CFE, "P2PKH or P2SH (litecoin)");
    public static ExtendedKeyVersion Mtub { get; } = new("Mtub", 0x01B26EF6, "Mtpv", 0x01B26792, "P2WPKH in P2SH (litecoin)");
    public static ExtendedKeyVersion Dgub { get; } = new("dgub", 0x02FACAFD, "dgpv", 0x02FAC398, "P2PKH or P2SH (dogecoin)");

    public static IReadOnlyList<ExtendedKeyVersion> All { get; } =
        [Xpub, Ypub, Zpub, YpubMultisig, ZpubMultisig, Tpub, Upub, Vpub, UpubMultisig, VpubMultisig, Ltub, Mtub, Dgub];

    /// <summary>The registered pair holding <paramref name="version"/>, and whether it is the private half.</summary>
    public static bool TryFind(uint version, out ExtendedKeyVersion pair, out bool isPrivate)
    {
        foreach (var candidate in All)
        {
            if (candidate.PublicVersion == version || candidate.PrivateVersion == version)
            {
                pair = candidate;
                isPrivate = candidate.PrivateVersion == version;
                return true;
            }
        }
        pair = Xpub;
        isPrivate = false;
        return false;
    }

    /// <summary>The pair a network prints by default (its ExtPubVersion / ExtPrivVersion).</summary>
    public static ExtendedKeyVersion For(BitcoinNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        foreach (var candidate in All)
            if (candidate.PublicVersion == network.ExtPubVersion && candidate.PrivateVersion == network.ExtPrivVersion)
                return candidate;
        return new ExtendedKeyVersion("?pub", network.ExtPubVersion, "?prv", network.ExtPrivVersion, network.Name);
    }

    /// <summary>
    /// The SLIP-132 pair for showing an account key of <paramref name="kind"/> on <paramref name="network"/>
    /// (zpub for BIP84 on bitcoin, upub for BIP49 on testnet, Mtub for BIP49 on litecoin), or the
    /// network's own pair where SLIP-132 registers none.
    /// </summary>
    public static ExtendedKeyVersion For(BitcoinNetwork network, BitcoinAddressKind kind)
    {
        ArgumentNullException.ThrowIfNull(network);
        return (network.Bech32Hrp, kind) switch
        {
            ("bc", BitcoinAddressKind.P2shP2wpkh) => Ypub,
            ("bc", BitcoinAddressKind.P2wpkh) => Zpub,
            ("tb" or "bcrt", BitcoinAddressKind.P2shP2wpkh) => Upub,
            ("tb" or "bcrt", BitcoinAddressKind.P2wpkh) => Vpub,
            ("ltc", BitcoinAddressKind.P2shP2wpkh) => Mtub,
            _ => For(network),
        };
    }

    public override string ToString() => $"{PublicPrefix}/{PrivatePrefix}";
}
