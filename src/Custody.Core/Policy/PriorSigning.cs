using Custody.Core.Chains;

namespace Custody.Core.Policy;

/// <summary>A transaction already signed or reserved under a replay key (EVM nonce, Bitcoin outpoint …).</summary>
/// <param name="Intent">Its decoded intent, to judge whether a new one is an allowed replacement.</param>
public sealed record PriorSigning(string ReplayKey, string PayloadDigest, TransactionIntent? Intent);
