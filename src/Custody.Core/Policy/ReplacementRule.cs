using Custody.Core.Chains;

namespace Custody.Core.Policy;

/// <summary>
/// When a transaction may replace one already signed under the same replay key, for a policy
/// that allows replacements: both for the same chain, and what the chain's family says makes a
/// replacement (<see cref="ChainFamily.AllowsReplacement"/>: Bitcoin RBF, an EVM fee bump; TRON
/// and Solana none).
/// </summary>
public static class ReplacementRule
{
    public static bool Allows(TransactionIntent previous, TransactionIntent next, out string reason)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        if (previous.Chain != next.Chain)
        {
            reason = $"it is for chain {next.Chain}, the signed one for {previous.Chain}";
            return false;
        }
        return next.Chain.Family.AllowsReplacement(previous, next, out reason);
    }
}
