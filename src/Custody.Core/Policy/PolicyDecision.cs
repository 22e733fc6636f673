namespace Custody.Core.Policy;

/// <summary>Anything but <see cref="Allow"/> refuses; "could not decide" is its own outcome, not a denial.</summary>
public enum PolicyOutcome
{
    Allow,
    Deny,
    NeedsApproval,
    Frozen,
    Failed,
}

/// <summary>A decision with the rule that made it and a reason a person can read.</summary>
/// <param name="PolicyVersion">The version of the policy document that judged (0 for the built-in default).</param>
/// <param name="ApprovalsRequired">For NeedsApproval: how many distinct approvers must sign.</param>
public sealed record PolicyDecision(
    PolicyOutcome Outcome,
    string Rule,
    string Reason,
    long PolicyVersion,
    int ApprovalsRequired = 0)
{
    public bool IsAllowed => Outcome == PolicyOutcome.Allow;
}
