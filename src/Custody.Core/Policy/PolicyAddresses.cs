using System.Diagnostics.CodeAnalysis;
using Custody.Core.Chains;

namespace Custody.Core.Policy;

/// <summary>
/// Canonical address text (through ChainAddresses), asset and selector forms, so that a policy entry and a decoded
/// destination compare equal whatever case or form (TRON hex, lower-case EVM) either used.
/// </summary>
internal static class PolicyAddresses
{
    public const string NativeAsset = "native";

    public static string Normalize(Chain chain, string text) => ChainAddresses.Normalize(chain, text);

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
        if (string.Equals(asset.Trim(), NativeAsset, StringComparison.OrdinalIgnoreCase)) return NativeAsset;
        if (chain.Family == ChainFamily.Bitcoin)
            throw new InvalidInputException("asset", $"{chain.Id} has only its native asset");
        return Normalize(chain, asset);
    }

    public static bool TryNormalizeAsset(Chain chain, string? asset, [NotNullWhen(true)] out string? canonical)
    {
        canonical = null;
        if (string.IsNullOrWhiteSpace(asset)) return false;
        if (string.Equals(asset.Trim(), NativeAsset, StringComparison.OrdinalIgnoreCase))
        {
            canonical = NativeAsset;
            return true;
        }
        return chain.Family != ChainFamily.Bitcoin && TryNormalize(chain, asset, out canonical);
    }

    /// <summary>EVM/TRON selectors compare as lower-case 0x-hex; other families' instruction tags as written.</summary>
    public static string NormalizeSelector(Chain chain, string selector) =>
        chain.Family is ChainFamily.Evm or ChainFamily.Tron ? selector.Trim().ToLowerInvariant() : selector.Trim();
}
