using Custody.Core.Policy;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Policy;

/// <summary>
/// Counts a parked request's approvals the way the signer must before it signs: each
/// signature verified again against the approver's current (not revoked) key over the
/// canonical statement; only approvers the policy version names, never the requester; one
/// vote per approver and per key (one person registered twice counts once).
/// </summary>
internal static class ApprovalCounter
{
    public static async Task<ApprovalTally> CountAsync(SqliteConnection connection, SqliteTransaction transaction,
        PendingApproval pending, VersionedPolicy? policy)
    {
        var approvers = policy?.Document.Approvals?.Approvers ?? new HashSet<string>();
        var approvedBy = new List<string>();
        var keysSeen = new HashSet<string>(StringComparer.Ordinal);
        string? rejectedBy = pending.State == PendingState.Rejected ? pending.RejectedBy ?? "an approver" : null;
        foreach (var approval in await PendingApprovalTable.ApprovalsAsync(connection, transaction, pending.RequestDigest).ConfigureAwait(false))
        {
            if (!approvers.Contains(approval.ApproverId) || approval.ApproverId == pending.Principal) continue;
            var key = await ApproverTable.GetActiveAsync(connection, transaction, approval.ApproverId).ConfigureAwait(false);
            if (key is null || !key.Verify(pending.Statement(approval.Verdict).ToBytes(), approval.Signature)) continue;
            if (approval.Verdict == ApprovalVerdict.Reject)
                rejectedBy ??= approval.ApproverId;
            else if (keysSeen.Add(key.Fingerprint))
                approvedBy.Add(approval.ApproverId);
        }
        return new ApprovalTally(approvedBy, rejectedBy, pending.ExpiresAt);
    }
}
