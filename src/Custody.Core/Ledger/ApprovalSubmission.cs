namespace Custody.Core.Ledger;

/// <summary>What became of a submitted approval or rejection.</summary>
public enum ApprovalSubmissionOutcome
{
    /// <summary>Verified and recorded (an approval counts; a rejection ended the request).</summary>
    Recorded,

    /// <summary>This approver had already given this verdict; it counts once.</summary>
    Duplicate,

    /// <summary>Not recorded: the reason says why (bad signature, not an approver, expired …).</summary>
    Refused,
}

/// <param name="Approvals">Valid approvals now counted for the request.</param>
/// <param name="Required">How many it needs; when Approvals reaches it, the request can be re-admitted.</param>
public sealed record ApprovalSubmission(ApprovalSubmissionOutcome Outcome, string Reason, int Approvals, int Required)
{
    public bool QuorumReached => Approvals >= Required && Required > 0;
}
