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
/// implies (chains with several address kinds) and the layout below. The chain's family
/// (<see cref="ChainFamily.Schemes"/>) is the one place that knows which standards a chain uses.
/// </summary>
public sealed record DerivationScheme(uint Purpose, uint CoinType, BitcoinAddressKind? AddressKind, DerivationLayout Layout)
{
    /// <summary>The standards <paramref name="chain"/> derives with, the default first.</summary>
    public static IReadOnlyList<DerivationScheme> For(Chain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return chain.Family.Schemes(chain);
    }

    /// <summary>The standard a new wallet on <paramref name="chain"/> uses (BIP84 where segwit exists, else BIP44).</summary>
    public static DerivationScheme Default(Chain chain) => For(chain)[0];

    /// <summary>
    /// The standard a request selects: the chain's default, or the one of the requested address
    /// kind. The one place that says which chains take an address kind: those whose schemes have kinds.
    /// </summary>
    public static DerivationScheme Select(Chain chain, BitcoinAddressKind? kind)
    {
        if (kind is null) return Default(chain);
        RequireAddressKinds(chain);
        return For(chain).FirstOrDefault(s => s.AddressKind == kind)
            ?? throw new InvalidInputException("kind", $"{chain.Id} has no {kind} addresses");
    }

    /// <summary>Refuses an address kind for a chain that has one address format (no scheme names a kind).</summary>
    public static void RequireAddressKinds(Chain chain)
    {
        if (For(chain).Any(s => s.AddressKind is not null)) return;
        var families = ChainRegistry.Families.Where(f => f.Presets.Any(c => For(c).Any(s => s.AddressKind is not null))).Select(f => f.Name);
        throw new InvalidInputException("kind", $"address kinds apply to {string.Join(", ", families)}-family chains, not {chain.Id}");
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
