using System.Diagnostics.CodeAnalysis;
using Custody.Core.Chains;

namespace Custody.Core.Policy;

/// <summary>
/// Canonical address text (through ChainAddresses), asset and selector forms, so that a policy entry and a decoded
/// destination compare equal whatever case or form (TRON hex, lower-case EVM) either used.
/// </summary>
internal static class PolicyAddresses
{
    public static string Normalize(Chain chain, string text) => ChainAddresses.Normalize(chain, text);

    /// <summary>
    /// The canonical text of a decoded destination or contract, or false when it is not an address of
    /// <paramref name="chain"/>: the evaluator then judges it as unresolved, and the reason is not needed.
    /// </summary>
    public static bool TryNormalize(Chain chain, string? text, [NotNullWhen(true)] out string? canonical)
    {
        canonical = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        try
        {
            canonical = Normalize(chain, text);
            return true;
        }
        catch (InvalidInputException)
        {
            return false;
        }
    }

    /// <summary>"native", or the token contract / mint address in canonical form.</summary>
    public static string NormalizeAsset(Chain chain, string asset)
    {
        if (string.Equals(asset.Trim(), IntentOutput.NativeAsset, StringComparison.OrdinalIgnoreCase)) return IntentOutput.NativeAsset;
        if (!chain.Family.HasTokens)
            throw new InvalidInputException("asset", $"{chain.Id} has only its native asset");
        return Normalize(chain, asset);
    }

    public static bool TryNormalizeAsset(Chain chain, string? asset, [NotNullWhen(true)] out string? canonical)
    {
        canonical = null;
        if (string.IsNullOrWhiteSpace(asset)) return false;
        if (string.Equals(asset.Trim(), IntentOutput.NativeAsset, StringComparison.OrdinalIgnoreCase))
        {
            canonical = IntentOutput.NativeAsset;
            return true;
        }
        return chain.Family.HasTokens && TryNormalize(chain, asset, out canonical);
    }

    /// <summary>Selectors in the form the chain's family compares (EVM/TRON lower-case 0x-hex; instruction tags as written).</summary>
    public static string NormalizeSelector(Chain chain, string selector) => chain.Family.NormalizeSelector(selector);
}
