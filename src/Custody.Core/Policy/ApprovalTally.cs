namespace Custody.Core.Policy;

/// <summary>
/// The verified approvals of a parked request: each signature checked against the approver's
/// registered key, approvers distinct from the requester and from each other.
/// </summary>
/// <param name="ApprovedBy">Distinct approvers whose valid approval counts.</param>
/// <param name="RejectedBy">The approver who rejected it, if any: a rejection ends the request.</param>
/// <param name="ExpiresAt">After this instant the approvals no longer count.</param>
public sealed record ApprovalTally(IReadOnlyList<string> ApprovedBy, string? RejectedBy, DateTimeOffset ExpiresAt);
