using System.Globalization;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Hd;

namespace Custody.Core.Chains;

/// <summary>How addresses sit below the purpose and coin type.</summary>
public enum DerivationLayout
{
    /// <summary>BIP44: m/purpose'/coin'/account'/change/index (also BIP49/84/86, EVM, TRON).</summary>
    Bip44,

    /// <summary>One address per hardened account, m/44'/coin'/index'/0' (Solana wallets; ed25519 has no normal steps).</summary>
    AccountPerAddress,
}

/// <summary>
/// A derivation standard of a chain: purpose, coin type, the address kind the purpose
/// implies (Bitcoin family) and the layout below. The per-family table in <see cref="For"/>
/// is the one place that knows which standards a chain uses.
/// </summary>
public sealed record DerivationScheme(uint Purpose, uint CoinType, BitcoinAddressKind? AddressKind, DerivationLayout Layout)
{
    /// <summary>BIP44/49/84/86 purposes and the single-key address kind each one fixes.</summary>
    private static readonly (uint Purpose, BitcoinAddressKind Kind)[] BitcoinPurposes =
    [
        (84, BitcoinAddressKind.P2wpkh),
        (86, BitcoinAddressKind.P2tr),
        (49, BitcoinAddressKind.P2shP2wpkh),
        (44, BitcoinAddressKind.P2pkh),
    ];

    /// <summary>The standards <paramref name="chain"/> derives with, the default first.</summary>
    public static IReadOnlyList<DerivationScheme> For(Chain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return chain.Family switch
        {
            ChainFamily.Bitcoin => BitcoinPurposes
                .Where(p => p.Kind == BitcoinAddressKind.P2pkh ||
                            (chain.Bitcoin!.SupportsSegwit && (p.Kind != BitcoinAddressKind.P2tr || chain.Bitcoin.SupportsTaproot)))
                .Select(p => new DerivationScheme(p.Purpose, chain.CoinType, p.Kind, DerivationLayout.Bip44))
                .ToArray(),
            ChainFamily.Evm or ChainFamily.Tron => [new DerivationScheme(44, chain.CoinType, null, DerivationLayout.Bip44)],
            ChainFamily.Solana => [new DerivationScheme(44, chain.CoinType, null, DerivationLayout.AccountPerAddress)],
            _ => throw new ArgumentOutOfRangeException(nameof(chain), chain.Family, "unknown chain family"),
        };
    }

    /// <summary>The standard a new wallet on <paramref name="chain"/> uses (BIP84 where segwit exists, else BIP44).</summary>
    public static DerivationScheme Default(Chain chain) => For(chain)[0];

    /// <summary>The Bitcoin address kind a path's purpose implies (44' → P2PKH, 49' → P2SH-P2WPKH, 84' → P2WPKH, 86' → P2TR).</summary>
    public static BitcoinAddressKind? BitcoinKindOf(KeyPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Depth == 0 || !KeyPath.IsHardenedIndex(path[0])) return null;
        var purpose = path[0] & ~KeyPath.HardenedBit;
        foreach (var (p, kind) in BitcoinPurposes)
            if (p == purpose) return kind;
        return null;
    }

    /// <summary>The scheme of <paramref name="chain"/> whose purpose and coin type start <paramref name="path"/>.</summary>
    public static DerivationScheme? Match(Chain chain, KeyPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return For(chain).FirstOrDefault(s => path.Depth >= 2 && path[0] == (s.Purpose | KeyPath.HardenedBit) && path[1] == (s.CoinType | KeyPath.HardenedBit));
    }

    /// <summary>m/purpose'/coin'/account': where an account xpub sits.</summary>
    public KeyPath AccountPath(uint account) =>
        KeyPath.Root.Hardened(Purpose).Hardened(CoinType).Hardened(RequireIndex(account, "account"));

    /// <summary>
    /// The path of address <paramref name="index"/>. Bip44: m/purpose'/coin'/account'/change/index.
    /// AccountPerAddress: m/44'/coin'/index'/0', which has no separate account or change branch.
    /// </summary>
    public KeyPath AddressPath(uint index, uint account = 0, bool change = false)
    {
        RequireIndex(index, "index");
        if (Layout == DerivationLayout.Bip44)
            return AccountPath(account).Child(change ? 1u : 0u).Child(index);
        if (account != 0 || change)
            throw new InvalidInputException("path", $"{this} has one address per account and no change branch: use index alone");
        return AccountPath(index).Hardened(0);
    }

    private static uint RequireIndex(uint value, string field) =>
        value < KeyPath.HardenedBit
            ? value
            : throw new InvalidInputException(field, $"{value.ToString(CultureInfo.InvariantCulture)} is not below 2^31");

    public override string ToString() => Layout == DerivationLayout.Bip44
        ? $"BIP{Purpose.ToString(CultureInfo.InvariantCulture)} m/{Purpose.ToString(CultureInfo.InvariantCulture)}'/{CoinType.ToString(CultureInfo.InvariantCulture)}'/account'/change/index"
        : $"m/{Purpose.ToString(CultureInfo.InvariantCulture)}'/{CoinType.ToString(CultureInfo.InvariantCulture)}'/index'/0'";
}
