using Custody.Core.Chains.Bitcoin;

namespace Custody.Core.Chains;

/// <summary>
/// A supported chain as a value: its registry id (the only place a bare string
/// like "btc" is accepted), family, SLIP-44 coin type, curve and network
/// parameters. Operations live in the family's folder and take this value.
/// </summary>
/// <param name="Id">"btc", "btc-testnet", "btc-regtest", "ltc", "doge", "eth", "evm:&lt;chainId&gt;", "trx", "sol".</param>
/// <param name="Bitcoin">Network parameters for the Bitcoin family, otherwise null.</param>
/// <param name="EvmChainId">EIP-155 chain id for the EVM family, otherwise null.</param>
public sealed record Chain(
    string Id,
    string DisplayName,
    ChainFamily Family,
    uint CoinType,
    KeyCurve Curve,
    BitcoinNetwork? Bitcoin = null,
    ulong? EvmChainId = null)
{
    public override string ToString() => Id;
}
