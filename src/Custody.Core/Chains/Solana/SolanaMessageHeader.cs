namespace Custody.Core.Chains.Solana;

/// <summary>The three counts that say which of the static account keys sign and which are read-only.</summary>
public readonly record struct SolanaMessageHeader(byte NumRequiredSignatures, byte NumReadonlySigned, byte NumReadonlyUnsigned);
