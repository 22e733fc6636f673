using System.Globalization;
using System.Numerics;

namespace Custody.Core.Chains;

/// <summary>
/// Amounts of base units for people: a chain's native unit (<see cref="Chain.NativeUnit"/>, set by
/// its family's presets) and a small table of well-known tokens. Policies, intents and the API keep
/// base units; this only adds "0.01 ETH" beside them. An asset not known here has no human form.
/// </summary>
public static class AssetUnits
{
    /// <summary>(chain, token contract or mint as the decoders print it) → unit.</summary>
    private static readonly Dictionary<(string Chain, string Asset), AssetUnit> Tokens = new()
    {
        [("eth", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")] = new("USDC", 6),
        [("eth", "0xdAC17F958D2ee523a2206206994597C13D831ec7")] = new("USDT", 6),
        [("evm:137", "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359")] = new("USDC", 6),
        [("evm:56", "0x55d398326f99059fF775485246999027B3197955")] = new("USDT", 18),
        [("trx", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")] = new("USDT", 6),
        [("trx", "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8")] = new("USDC", 6),
        [("sol", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")] = new("USDC", 6),
        [("sol", "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB")] = new("USDT", 6),
    };

    /// <summary>The unit of <paramref name="asset"/> ("native" or a token) on <paramref name="chain"/>, if known.</summary>
    public static AssetUnit? Of(string chain, string asset)
    {
        ArgumentNullException.ThrowIfNull(asset);
        if (!ChainRegistry.TryGet(chain, out var known)) return null;
        if (asset == IntentOutput.NativeAsset) return known.NativeUnit;
        return Tokens.FirstOrDefault(t => t.Key.Chain == known.Id && t.Key.Asset.Equals(asset, StringComparison.OrdinalIgnoreCase)).Value;
    }

    /// <summary>"0.01 ETH" for 10^16 wei; null when the asset's decimals are not known or the amount is not base units.</summary>
    public static string? Format(string chain, string asset, string baseUnits)
    {
        if (Of(chain, asset) is not { } unit || !BigInteger.TryParse(baseUnits, NumberStyles.None, CultureInfo.InvariantCulture, out var amount)) return null;
        var scale = BigInteger.Pow(10, unit.Decimals);
        var whole = BigInteger.DivRem(amount, scale, out var fraction);
        var digits = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(unit.Decimals, '0').TrimEnd('0');
        return $"{whole.ToString(CultureInfo.InvariantCulture)}{(digits.Length > 0 ? "." + digits : "")} {unit.Symbol}";
    }
}
