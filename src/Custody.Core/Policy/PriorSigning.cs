using Custody.Core.Chains;

namespace Custody.Core.Policy;

/// <summary>
/// A transaction already signed in the conflict group a request touches. A group holds
/// transactions that pairwise share a replay key (an EVM sender's nonce, a Bitcoin outpoint,
/// a Solana durable nonce), so at most one of them can confirm; velocity counts a group once.
/// </summary>
/// <param name="Group">The group's id in the ledger.</param>
/// <param name="PayloadDigest">SHA-256 of its payload: the same payload again is the same transaction.</param>
/// <param name="Intent">Its decoded intent: its replay keys and claims, and what a replacement must keep.</param>
public sealed record PriorSigning(long Group, string PayloadDigest, TransactionIntent? Intent);
