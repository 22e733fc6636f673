namespace Custody.Core.Chains.Evm;

/// <summary>An EVM network: its EIP-155 chain id, which every transaction and EIP-712 domain must name.</summary>
public sealed record EvmNetwork(ulong ChainId) : ChainNetwork;
