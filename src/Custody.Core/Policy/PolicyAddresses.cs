using System.Diagnostics.CodeAnalysis;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Evm;
using Custody.Core.Chains.Solana;
using Custody.Core.Chains.Tron;

namespace Custody.Core.Policy;

/// <summary>
/// Canonical address text per chain family, so that a policy entry and a decoded
/// destination compare equal whatever case or form (TRON hex, lower-case EVM) either used.
/// </summary>
/// <remarks>A uniform Chains-level normaliser is planned; this is the policy's one dispatch until then.</remarks>
internal static class PolicyAddresses
{
    public const string NativeAsset = "native";

    public static string Normalize(Chain chain, string text) => chain.Family switch
    {
        ChainFamily.Bitcoin => BitcoinAddress.Normalize(text, chain.Bitcoin
            ?? throw new InvalidInputException("chain", $"{chain.Id} has no Bitcoin network parameters")),
        ChainFamily.Evm => EvmAddress.Normalize(text),
        ChainFamily.Tron => TronAddress.Normalize(text),
        ChainFamily.Solana => SolanaAddress.Normalize(text),
        _ => throw new InvalidInputException("chain", $"no address format for {chain.Family}"),
    };

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
