namespace Custody.Core.Policy;

/// <summary>
/// The rule ids a <see cref="PolicyDecision"/> names, in evaluation order (docs/policy.md).
/// The first rule that refuses decides (deny-overrides); approvals come last, so a request
/// that any other rule refuses is never parked for approval.
/// </summary>
public static class PolicyRules
{
    public const string NoPolicy = "no-policy";
    public const string Frozen = "frozen";
    public const string Principal = "principal";
    public const string Chain = "chain";
    public const string MalformedIntent = "malformed-intent";
    public const string FullPrevTx = "full-prev-tx";
    public const string Asset = "asset";
    public const string RawSigning = "raw-signing";
    public const string Notes = "notes";
    public const string Conflict = "conflict";
    public const string UnresolvedDestination = "unresolved-destination";
    public const string DenyList = "deny-list";
    public const string AllowList = "allow-list";
    public const string MaxPerTransaction = "max-per-transaction";
    public const string Fee = "fee";
    public const string FeeRate = "fee-rate";
    public const string ContractCall = "contract-call";
    public const string TimeWindow = "time-window";
    public const string Velocity = "velocity";
    public const string Approvals = "approvals";
    public const string Allowed = "allow";

    /// <summary>The policy store could not be read or written: could not decide.</summary>
    public const string Store = "store";
}
