using System.Globalization;
using System.Security.Cryptography;
using Custody.Core.Audit;
using Custody.Core.Ledger;
using Custody.Core.Policy;
using Custody.Storage.Audit;
using Custody.Storage.Data;
using Custody.Storage.Engine;
using Custody.Storage.Policy;
using Custody.Storage.Writing;

namespace Custody.Storage.Signing;

internal sealed class SigningLedger(Readers readers, LedgerWriter writer, Judge judge, PolicyVersions versions, TimeProvider time) : ISigningLedger
{
    public Task<StoredReply?> FindReplyAsync(string principal, string requestId, CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(sql => Replies.Find(sql, principal, requestId)));

    public Task<PolicyDecision> JudgeAsync(SigningRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(readers.Read(sql => judge.Run(sql, request, time.GetUtcNow(), persist: false).Decision, snapshot: true));
    }

    public Task<SigningOutcome> CommitAsync(SigningCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var request = commit.Request;
        return writer.CommitAsync<SigningOutcome>(LockSet.Wallet(request.WalletId), tx => Apply(tx, commit),
            idempotencyKey: request.Principal + "\n" + request.RequestId);
    }

    private Func<SigningOutcome> Apply(LedgerTransaction tx, SigningCommit commit)
    {
        var (sql, request) = (tx.Sql, commit.Request);

        // 1. The request id: claimed here, or answered by the reply stored under it.
        if (!Replies.Claim(sql, request.Principal, request.RequestId, commit.Fingerprint, tx.Now))
        {
            var stored = Replies.Find(sql, request.Principal, request.RequestId)
                ?? throw new InvalidOperationException("a claimed request id without a stored reply was committed");
            var same = CryptographicOperations.FixedTimeEquals(stored.Fingerprint, commit.Fingerprint);
            return () => new SigningOutcome(same ? SigningOutcomeKind.Replayed : SigningOutcomeKind.RequestIdReused, null, null, same ? stored.Reply : null, null);
        }

        // 2. A signature is judged again, here, under the lock: what was allowed on the snapshot may not be now.
        var judgement = commit.Signed is not null ? judge.Run(sql, request, tx.Now, persist: true) : null;
        var decision = judgement?.Decision ?? commit.Unsigned!;
        var details = new Dictionary<string, string>(commit.Record.Details, StringComparer.Ordinal)
        {
            ["policy_version"] = decision.PolicyVersion.ToString(CultureInfo.InvariantCulture),
        };
        AuditText.Put(tx, details, "reason", decision.Reason);

        // 3a. Allowed: reserve, record decision and result, store the reply. Only now may the signature leave.
        if (decision.IsAllowed && commit.Signed is { } signed)
        {
            Reservations.Reserve(sql, tx.Engine, request, judgement!.RequestDigest, decision.PolicyVersion, judgement.Group, tx.Now);
            if (judgement.Pending is { State: PendingState.Pending }) Pending.Release(sql, judgement.RequestDigest);
            byte[]? reply = null;
            var record = tx.Record(commit.Record with
            {
                Decision = decision.Outcome,
                Rule = decision.Rule,
                ResultDigest = signed.ResultDigest,
                TxId = signed.TxId,
                Details = details,
            }, receipt =>
            {
                reply = signed.Reply(receipt, decision);
                tx.CompletedReplies.Add(new StoredReply(request.Principal, request.RequestId, commit.Fingerprint, reply, receipt.Sequence, tx.Now));
            });
            return () => new SigningOutcome(SigningOutcomeKind.Signed, decision, record.Receipt, reply, null);
        }

        // 3b. Refused or failed: recorded, nothing leaves; parked when approvals can change it.
        Replies.Release(sql, request.Principal, request.RequestId);
        var (parked, parkedNow) = decision.Outcome == PolicyOutcome.NeedsApproval ? Park(sql, request, decision, judgement, tx.Now) : (null, false);
        if (parked is not null)
        {
            details["approval_expires"] = parked.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            details["approval_request"] = parked.RequestDigest;
            // The record that parked it (not a later retry while it waits): what a "request.parked" event is made of.
            if (parkedNow) details["parked"] = "new";
        }
        var refusal = tx.Record(commit.Record with { Decision = decision.Outcome, Rule = decision.Rule, Details = details });
        return () => new SigningOutcome(SigningOutcomeKind.Refused, decision, refusal.Receipt, null, parked);
    }

    /// <summary>The request as parked for approvals: the one parked before, or parked now (Now true) under the deciding version's approval rules.</summary>
    private (PendingApproval? Parked, bool Now) Park(Sql sql, SigningRequest request, PolicyDecision decision, Judgement? judgement, DateTimeOffset now)
    {
        var digest = judgement?.RequestDigest ?? RequestDigest.Compute(request);
        if ((judgement?.Pending ?? Pending.Find(sql, digest)) is { } existing) return (existing, false);
        if (versions.Get(sql, decision.PolicyVersion)?.Document.Approvals is not { } rules) return (null, false);
        var parked = new PendingApproval(digest, request.RequestId, request.Principal, request.WalletId, request.Chain.Id,
            request.PayloadDigest.ToLowerInvariant(), request.Intent, RequestDigest.Intent(request), decision.PolicyVersion,
            request.ReceivedAt, WholeSeconds(now + rules.Expiry), decision.ApprovalsRequired, PendingState.Pending, null);
        Pending.Park(sql, parked, now);
        return (parked, true);
    }

    // The statement carries the expiry in whole seconds; the stored one must be exactly that instant.
    private static DateTimeOffset WholeSeconds(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());
}
