using Custody.Core.Chains;
using Custody.Core.Policy;

namespace Custody.Core.Ledger;

/// <summary>Where a parked request stands.</summary>
public enum PendingState
{
    /// <summary>Waiting for approvals (or past its expiry, which the gate checks against the clock).</summary>
    Pending,

    /// <summary>An approver rejected it: it can never be admitted.</summary>
    Rejected,

    /// <summary>Approved and admitted.</summary>
    Released,

    /// <summary>Its window closed before it was admitted; recorded by the daemon's expiry sweep (approval.expired).</summary>
    Expired,
}

/// <summary>
/// A request parked for approval: what approvers are shown (the decoded intent) and the fields
/// of the statement they sign (<see cref="Statement"/>).
/// </summary>
public sealed record PendingApproval(
    string RequestDigest,
    string RequestId,
    string Principal,
    string WalletId,
    string Chain,
    string PayloadDigest,
    TransactionIntent? Intent,
    string IntentDigest,
    long PolicyVersion,
    DateTimeOffset ReceivedAt,
    DateTimeOffset ExpiresAt,
    int Required,
    PendingState State,
    string? RejectedBy)
{
    public ApprovalStatement Statement(ApprovalVerdict verdict) => new(RequestDigest, IntentDigest, PolicyVersion, ExpiresAt, verdict);
}
