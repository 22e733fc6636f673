namespace Custody.Core.Policy;

/// <summary>What an approver signs: approve, or reject (which ends the request).</summary>
public enum ApprovalVerdict
{
    Approve,
    Reject,
}
