using System.Diagnostics.CodeAnalysis;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Evm;
using Custody.Core.Chains.Solana;
using Custody.Core.Chains.Tron;

namespace Custody.Core.Chains;

/// <summary>
/// Every chain family Custody knows, registered once in <see cref="Families"/>, and every chain
/// by id: the families' presets, and the ids a family parses (any EVM chain as "evm:&lt;chainId&gt;").
/// </summary>
public static class ChainRegistry
{
    /// <summary>The registration: adding a family means adding its folder and one line here.</summary>
    public static IReadOnlyList<ChainFamily> Families { get; } =
    [
        BitcoinFamily.Instance,
        EvmFamily.Instance,
        TronFamily.Instance,
        SolanaFamily.Instance,
    ];

    private static readonly Chain[] Presets = Families.SelectMany(f => f.Presets).ToArray();

    private static readonly Dictionary<string, Chain> ById = Presets.ToDictionary(c => c.Id, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyList<Chain> All => Presets;

    public static Chain Get(string id)
    {
        if (TryGet(id, out var chain)) return chain;
        var patterns = Families.Select(f => f.IdPattern).OfType<string>();
        throw new InvalidInputException("chain",
            $"unknown chain '{(id.Length > 32 ? id[..32] + "…" : id)}' (known: {string.Join(", ", Presets.Select(c => c.Id))}, or {string.Join(", or ", patterns)})");
    }

    public static bool TryGet([NotNullWhen(true)] string? id, [NotNullWhen(true)] out Chain? chain)
    {
        chain = null;
        if (string.IsNullOrWhiteSpace(id)) return false;
        id = id.Trim();
        if (ById.TryGetValue(id, out chain)) return true;
        foreach (var family in Families)
            if (family.TryParseId(id, out chain) && chain is not null)
                return true;
        chain = null;
        return false;
    }
}
