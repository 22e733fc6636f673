using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Custody.Core.Chains.Bitcoin;

namespace Custody.Core.Chains;

/// <summary>
/// Every chain Custody knows, by id. Any EVM chain is reachable as "evm:&lt;chainId&gt;";
/// the presets give the well-known ones a name.
/// </summary>
public static class ChainRegistry
{
    private const uint EthereumCoinType = 60;

    private static readonly Chain[] Presets =
    [
        new("btc", "Bitcoin", ChainFamily.Bitcoin, 0, KeyCurve.Secp256k1, BitcoinNetwork.Mainnet),
        new("btc-testnet", "Bitcoin testnet", ChainFamily.Bitcoin, 1, KeyCurve.Secp256k1, BitcoinNetwork.Testnet),
        new("btc-regtest", "Bitcoin regtest", ChainFamily.Bitcoin, 1, KeyCurve.Secp256k1, BitcoinNetwork.Regtest),
        new("ltc", "Litecoin", ChainFamily.Bitcoin, 2, KeyCurve.Secp256k1, BitcoinNetwork.Litecoin),
        new("ltc-testnet", "Litecoin testnet", ChainFamily.Bitcoin, 1, KeyCurve.Secp256k1, BitcoinNetwork.LitecoinTestnet),
        new("doge", "Dogecoin", ChainFamily.Bitcoin, 3, KeyCurve.Secp256k1, BitcoinNetwork.Dogecoin),
        Evm(1, "Ethereum", "eth"),
        Evm(137, "Polygon"),
        Evm(56, "BNB Smart Chain"),
        Evm(42161, "Arbitrum One"),
        Evm(10, "OP Mainnet"),
        Evm(8453, "Base"),
        new("trx", "TRON", ChainFamily.Tron, 195, KeyCurve.Secp256k1),
        new("sol", "Solana", ChainFamily.Solana, 501, KeyCurve.Ed25519),
    ];

    private static readonly Dictionary<string, Chain> ById = BuildIndex();

    public static IReadOnlyList<Chain> All => Presets;

    private static Dictionary<string, Chain> BuildIndex()
    {
        var index = new Dictionary<string, Chain>(StringComparer.OrdinalIgnoreCase);
        foreach (var chain in Presets)
        {
            index.Add(chain.Id, chain);
            if (chain.EvmChainId is { } id && chain.Id != EvmId(id))
                index.Add(EvmId(id), chain);
        }
        return index;
    }

    // All EVM chains share Ethereum's coin type: the same key signs on every EVM chain,
    // and the chain id inside the transaction (EIP-155) is what keeps them apart.
    private static Chain Evm(ulong chainId, string name, string? alias = null) =>
        new(alias ?? EvmId(chainId), name, ChainFamily.Evm, EthereumCoinType, KeyCurve.Secp256k1, EvmChainId: chainId);

    private static string EvmId(ulong chainId) => "evm:" + chainId.ToString(CultureInfo.InvariantCulture);

    public static Chain Get(string id)
    {
        if (TryGet(id, out var chain)) return chain;
        throw new InvalidInputException("chain",
            $"unknown chain '{(id.Length > 32 ? id[..32] + "…" : id)}' (known: {string.Join(", ", Presets.Select(c => c.Id))}, or evm:<chainId>)");
    }

    public static bool TryGet([NotNullWhen(true)] string? id, [NotNullWhen(true)] out Chain? chain)
    {
        chain = null;
        if (string.IsNullOrWhiteSpace(id)) return false;
        id = id.Trim();
        if (ById.TryGetValue(id, out chain)) return true;
        if (id.StartsWith("evm:", StringComparison.OrdinalIgnoreCase) &&
            ulong.TryParse(id.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var chainId) && chainId > 0)
        {
            chain = Evm(chainId, $"EVM chain {chainId}");
            return true;
        }
        return false;
    }

    public static Chain Evm(ulong chainId) =>
        TryGet(EvmId(chainId), out var chain) ? chain : throw new InvalidInputException("chain", "EVM chain id must be positive");
}
