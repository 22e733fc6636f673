namespace Custody.Core.Policy;

/// <summary>
/// A change the policy engine reports to the audit log: who did what to which subject.
/// Detail is plain text (for a policy change: the line diff); it never holds secrets.
/// </summary>
/// <param name="Action">One of <see cref="PolicyAuditActions"/>.</param>
/// <param name="Subject">What it concerns: a scope ("wallet:w1"), an approver id, a request digest.</param>
public sealed record PolicyAuditEvent(string Action, string Principal, string Subject, string Detail, DateTimeOffset At);

/// <summary>The actions of <see cref="PolicyAuditEvent"/>.</summary>
public static class PolicyAuditActions
{
    public const string PolicyPublished = "policy.published";
    public const string Frozen = "policy.frozen";
    public const string Unfrozen = "policy.unfrozen";
    public const string ApproverRegistered = "approver.registered";
    public const string ApproverRevoked = "approver.revoked";
    public const string ApprovalRequested = "approval.requested";
    public const string ApprovalRecorded = "approval.recorded";
}
