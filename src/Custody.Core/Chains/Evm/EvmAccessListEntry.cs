namespace Custody.Core.Chains.Evm;

/// <summary>One EIP-2930 access list entry: a 20-byte address and its 32-byte storage keys.</summary>
public sealed record EvmAccessListEntry(ReadOnlyMemory<byte> Address, IReadOnlyList<ReadOnlyMemory<byte>> StorageKeys);
