namespace Custody.Core.Chains.Solana;

/// <summary>
/// A v0 address table lookup: the table account and the indexes loaded from it. The
/// addresses themselves live on chain, so offline they stay unresolved.
/// </summary>
public sealed record SolanaLookupTable(ReadOnlyMemory<byte> Table, ReadOnlyMemory<byte> WritableIndexes, ReadOnlyMemory<byte> ReadonlyIndexes);
