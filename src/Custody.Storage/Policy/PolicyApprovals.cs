using System.Data;
using Custody.Core;
using Custody.Core.Policy;

namespace Custody.Storage.Policy;

/// <summary>
/// The approvers' side: read a parked request (with the statement to sign) and submit a
/// signed verdict. A verdict counts only after its signature verifies against the approver's
/// registered key; the requester cannot approve its own request; an approver not named by the
/// policy version that parked the request is refused; a rejection ends the request.
/// </summary>
public sealed class PolicyApprovals
{
    private readonly PolicyDatabase _database;
    private readonly PolicyVersionTable _versions = new();
    private readonly IPolicyAuditSink _audit;
    private readonly TimeProvider _time;

    public PolicyApprovals(PolicyDatabase database, IPolicyAuditSink audit, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(audit);
        _database = database;
        _audit = audit;
        _time = time ?? TimeProvider.System;
    }

    public async Task<PendingApproval?> GetAsync(string requestDigest, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
            return await PendingApprovalTable.FindAsync(connection, null, Normalize(requestDigest)).ConfigureAwait(false);
    }

    /// <summary>Requests waiting for approvals (not rejected, released or expired), oldest first; of one wallet, or all when null.</summary>
    public async Task<IReadOnlyList<PendingApproval>> ListWaitingAsync(string? walletId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
            return await PendingApprovalTable.ListWaitingAsync(connection, walletId, _time.GetUtcNow(), Math.Min(limit, 1000)).ConfigureAwait(false);
    }

    public async Task<ApprovalSubmission> SubmitAsync(string requestDigest, string approverId, ApprovalVerdict verdict,
        byte[] signature, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approverId);
        ArgumentNullException.ThrowIfNull(signature);
        requestDigest = Normalize(requestDigest);
        ApprovalSubmission result;
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            var now = _time.GetUtcNow();
            var pending = await PendingApprovalTable.FindAsync(connection, transaction, requestDigest).ConfigureAwait(false);
            if (pending is null) return Refused("no request with this digest is waiting for approval", 0, 0);
            var policy = await _versions.GetAsync(connection, transaction, pending.PolicyVersion).ConfigureAwait(false);
            var before = await ApprovalCounter.CountAsync(connection, transaction, pending, policy).ConfigureAwait(false);
            ApprovalSubmission Refuse(string reason) => Refused(reason, before.ApprovedBy.Count, pending.Required);

            if (pending.State != PendingState.Pending) return Refuse($"the request is already {pending.State.ToString().ToLowerInvariant()}");
            if (now > pending.ExpiresAt) return Refuse($"the approval window closed at {pending.ExpiresAt:O}");
            if (policy?.Document.Approvals is not { } rules || !rules.Approvers.Contains(approverId))
                return Refuse($"'{approverId}' is not an approver under policy version {pending.PolicyVersion}");
            if (approverId == pending.Principal) return Refuse("the requester cannot approve its own request");
            var key = await ApproverTable.GetActiveAsync(connection, transaction, approverId).ConfigureAwait(false);
            if (key is null) return Refuse($"'{approverId}' has no registered key (or it was revoked)");
            if (!key.Verify(pending.Statement(verdict).ToBytes(), signature))
                return Refuse("the signature does not verify over the approval statement with the approver's registered key");

            var previous = (await PendingApprovalTable.ApprovalsAsync(connection, transaction, requestDigest).ConfigureAwait(false))
                .FirstOrDefault(a => a.ApproverId == approverId);
            if (previous?.Verdict == verdict)
                return new ApprovalSubmission(ApprovalSubmissionOutcome.Duplicate, $"'{approverId}' already gave this verdict; it counts once",
                    before.ApprovedBy.Count, pending.Required);

            await PendingApprovalTable.PutApprovalAsync(connection, transaction, requestDigest,
                new RecordedApproval(approverId, verdict, signature), now).ConfigureAwait(false);
            if (verdict == ApprovalVerdict.Reject)
                await PendingApprovalTable.SetStateAsync(connection, transaction, requestDigest, PendingState.Rejected, approverId).ConfigureAwait(false);
            var after = await ApprovalCounter.CountAsync(connection, transaction, pending with
            {
                State = verdict == ApprovalVerdict.Reject ? PendingState.Rejected : pending.State,
                RejectedBy = verdict == ApprovalVerdict.Reject ? approverId : null,
            }, policy).ConfigureAwait(false);
            var counted = after.ApprovedBy.Contains(approverId) || verdict == ApprovalVerdict.Reject;
            result = counted
                ? new ApprovalSubmission(ApprovalSubmissionOutcome.Recorded,
                    verdict == ApprovalVerdict.Reject ? $"rejected by '{approverId}'" : $"{after.ApprovedBy.Count} of {pending.Required} approvals",
                    after.ApprovedBy.Count, pending.Required)
                : Refused("this key already approved the request under another approver id", before.ApprovedBy.Count, pending.Required);
            if (!counted) return result; // rolled back: nothing recorded
            transaction.Commit();
            await _audit.RecordAsync(new PolicyAuditEvent(PolicyAuditActions.ApprovalRecorded, approverId, requestDigest,
                $"{verdict.ToString().ToLowerInvariant()} with key {key.Fingerprint} ({key.Algorithm}); {result.Reason}", now), cancellationToken)
                .ConfigureAwait(false);
        }
        return result;
    }

    private static ApprovalSubmission Refused(string reason, int approvals, int required) =>
        new(ApprovalSubmissionOutcome.Refused, reason, approvals, required);

    private static string Normalize(string digest)
    {
        if (digest is null || digest.Length != 64 || !digest.All(char.IsAsciiHexDigit))
            throw new InvalidInputException("request_digest", "a request digest is 64 hex digits");
        return digest.ToLowerInvariant();
    }
}
