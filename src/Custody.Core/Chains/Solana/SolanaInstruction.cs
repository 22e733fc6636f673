namespace Custody.Core.Chains.Solana;

/// <summary>A compiled instruction: the program's account index, the accounts it reads (indexes) and its data.</summary>
public sealed record SolanaInstruction(byte ProgramIdIndex, ReadOnlyMemory<byte> AccountIndexes, ReadOnlyMemory<byte> Data);
