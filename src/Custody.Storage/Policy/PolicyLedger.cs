using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Custody.Core;
using Custody.Core.Audit;
using Custody.Core.Crypto;
using Custody.Core.Ledger;
using Custody.Core.Policy;
using Custody.Core.WebAuthn;
using Custody.Storage.Audit;
using Custody.Storage.Data;
using Custody.Storage.Engine;
using Custody.Storage.Writing;

namespace Custody.Storage.Policy;

/// <summary>
/// Policy administration and the approvers' side. Each change is one commit with its record: the
/// new version and its diff, a freeze and its reason, an approver key and its fingerprint, a verdict.
/// A change to what every wallet's judgement reads (the global policy or freeze, approvers) takes the
/// global lock exclusively; a wallet's, that wallet's lock; so a signature committed after a freeze
/// returns has seen it, in every process.
/// </summary>
internal sealed class PolicyLedger(Readers readers, LedgerWriter writer, PolicyVersions versions, TimeProvider time, RelyingParty? passkeys) : IPolicyLedger
{
    /// <summary>Operators' reasons: one line, kept whole (long ones beside the log by digest).</summary>
    private const int MaxReason = 10_000;

    public Task<PublishedPolicy> PublishAsync(PolicyScope scope, string document, string principal, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        reason = Reason(reason, required: false);
        var canonical = PolicyJson.Write(PolicyJson.Parse(document));
        return writer.CommitAsync(Locks(scope), tx =>
        {
            var latest = PolicyVersions.Latest(tx.Sql, scope);
            if (latest is { } current && current.Document == canonical)
                return new PublishedPolicy(current.Version, scope, canonical, "", Changed: false);
            var version = PolicyVersions.Append(tx.Sql, scope, canonical, tx.Now, principal);
            var diff = LineDiff.Compute(latest?.Document ?? "", canonical);
            var details = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["scope"] = scope.ToString(),
                ["version"] = version.ToString(CultureInfo.InvariantCulture),
                ["document_sha256"] = Convert.ToHexStringLower(Hashes.Sha256(Encoding.UTF8.GetBytes(canonical))),
            };
            AuditText.Put(tx, details, "diff", diff);
            if (reason is not null) AuditText.Put(tx, details, "reason", reason);
            tx.Record(Record(principal, AuditActions.PolicyPublished, scope, details));
            return new PublishedPolicy(version, scope, canonical, diff, Changed: true);
        });
    }

    public Task<(long Version, string Document)?> GetAsync(PolicyScope scope, CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(sql => PolicyVersions.Latest(sql, scope)));

    public Task<FreezeState> FreezeAsync(PolicyScope scope, string principal, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        var why = Reason(reason, required: true)!;
        return writer.CommitAsync(Locks(scope), tx =>
        {
            var freeze = new FreezeState(scope, principal, WholeMillis(tx.Now), why);
            Freezes.Set(tx.Sql, freeze);
            var details = new Dictionary<string, string>(StringComparer.Ordinal) { ["scope"] = scope.ToString() };
            AuditText.Put(tx, details, "reason", why);
            tx.Record(Record(principal, AuditActions.Frozen, scope, details));
            return freeze;
        });
    }

    public Task<bool> UnfreezeAsync(PolicyScope scope, string principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        return writer.CommitAsync(Locks(scope), tx =>
        {
            if (!Freezes.Clear(tx.Sql, scope)) return false;
            tx.Record(Record(principal, AuditActions.Unfrozen, scope, new Dictionary<string, string> { ["scope"] = scope.ToString() }));
            return true;
        });
    }

    public Task<FreezeState?> GetFreezeAsync(PolicyScope scope, CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(sql => Freezes.Get(sql, scope)));

    public Task RegisterApproverAsync(ApproverKey key, string principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        return writer.CommitAsync(LockSet.Everything, tx =>
        {
            Approvers.Upsert(tx.Sql, key, principal, tx.Now);
            tx.Record(new AuditRecord
            {
                Principal = principal,
                Action = AuditActions.ApproverRegistered,
                Details = Passkey(new Dictionary<string, string> { ["approver"] = key.ApproverId, ["algorithm"] = key.Algorithm.ToString(), ["fingerprint"] = key.Fingerprint },
                    key.Passkey is { } passkey ? Base64Url.EncodeToString(passkey.CredentialId) : null),
            });
            return true;
        });
    }

    public Task<bool> RevokeApproverAsync(string approverId, string principal, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(approverId);
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        return writer.CommitAsync(LockSet.Everything, tx =>
        {
            if (!Approvers.Revoke(tx.Sql, approverId, tx.Now)) return false;
            tx.Record(new AuditRecord { Principal = principal, Action = AuditActions.ApproverRevoked, Details = new Dictionary<string, string> { ["approver"] = approverId } });
            return true;
        });
    }

    public Task<PendingApproval?> GetPendingAsync(string requestDigest, CancellationToken cancellationToken)
    {
        var digest = Normalize(requestDigest);
        return Task.FromResult(readers.Read(sql => Pending.Find(sql, digest)));
    }

    public Task<IReadOnlyList<PendingApproval>> ListPendingAsync(string? walletId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Task.FromResult<IReadOnlyList<PendingApproval>>(readers.Read(sql => Pending.Waiting(sql, walletId, time.GetUtcNow(), Math.Min(limit, 1000))));
    }

    public Task<PolicyCounts> CountAsync(CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(sql =>
        {
            var (wallets, global) = Freezes.Count(sql);
            return new PolicyCounts(Pending.CountWaiting(sql, time.GetUtcNow()), wallets, global);
        }));

    public Task<int> ExpireDueAsync(CancellationToken cancellationToken)
    {
        // A cheap read first: the sweep runs every few seconds and usually finds nothing to lock for.
        if (readers.Read(sql => Pending.Due(sql, time.GetUtcNow(), 1)).Count == 0) return Task.FromResult(0);
        return writer.CommitAsync(LockSet.Everything, tx =>
        {
            var expired = 0;
            foreach (var pending in Pending.Due(tx.Sql, tx.Now, 100))
            {
                if (!Pending.Expire(tx.Sql, pending.RequestDigest)) continue;
                expired++;
                tx.Record(new AuditRecord
                {
                    Principal = "custodyd",
                    Action = AuditActions.ApprovalExpired,
                    WalletId = pending.WalletId,
                    Chain = pending.Chain,
                    RequestDigest = Convert.FromHexString(pending.PayloadDigest),
                    Details = new Dictionary<string, string>
                    {
                        ["request_digest"] = pending.RequestDigest,
                        ["request_id"] = pending.RequestId,
                        ["requester"] = pending.Principal,
                        ["expired_at"] = pending.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                    },
                });
            }
            return expired;
        });
    }

    public async Task<ApprovalSubmission> SubmitVerdictAsync(string requestDigest, string approverId, ApprovalVerdict verdict, ApprovalProof proof,
        string principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approverId);
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        var digest = Normalize(requestDigest);
        // The request's wallet is what the verdict changes: read it first, lock it, read again under the lock.
        var wallet = readers.Read(sql => Pending.Find(sql, digest))?.WalletId;
        if (wallet is null) return Refused("no request with this digest is waiting for approval", 0, 0);
        return await writer.CommitAsync(LockSet.Wallet(wallet), tx =>
        {
            var sql = tx.Sql;
            var pending = Pending.Find(sql, digest)!;
            // Approvals count under the policy in force now: the one the signature will be judged by.
            var policy = versions.InForce(sql, pending.WalletId);
            var required = policy?.Document.Approvals?.Required ?? pending.Required;
            var before = Pending.Tally(sql, pending, policy, passkeys);
            ApprovalSubmission Refuse(string reason) => Refused(reason, before.ApprovedBy.Count, required);

            if (approverId != principal) return Refuse($"'{principal}' may only give its own verdict, not approver '{approverId}''s");
            if (pending.State != PendingState.Pending) return Refuse($"the request is already {pending.State.ToString().ToLowerInvariant()}");
            if (tx.Now > pending.ExpiresAt) return Refuse($"the approval window closed at {pending.ExpiresAt:O}");
            if (policy?.Document.Approvals is not { } rules || !rules.Approvers.Contains(approverId))
                return Refuse($"'{approverId}' is not an approver under the policy in force (version {policy?.Version ?? 0})");
            if (approverId == pending.Principal) return Refuse("the requester cannot approve its own request");
            var key = Approvers.Active(sql, approverId);
            if (key is null) return Refuse($"'{approverId}' has no registered key (or it was revoked)");
            if (key.Check(pending.Statement(verdict).ToBytes(), proof, passkeys) is { } problem) return Refuse(problem);
            var signCount = proof.Passkey?.Authenticator.SignCount;
            if (signCount is { } count && Approvers.CounterRefusal(sql, approverId, count) is { } replayed) return Refuse(replayed);
            if (Pending.Approvals(sql, digest).FirstOrDefault(a => a.ApproverId == approverId)?.Verdict == verdict)
                return new ApprovalSubmission(ApprovalSubmissionOutcome.Duplicate, $"'{approverId}' already gave this verdict; it counts once", before.ApprovedBy.Count, required);

            if (signCount is { } moved) Approvers.SetSignCount(sql, approverId, moved);
            Pending.PutApproval(sql, digest, new RecordedApproval(approverId, verdict, proof), tx.Now);
            if (verdict == ApprovalVerdict.Reject) Pending.Reject(sql, digest, approverId);
            var after = Pending.Tally(sql, Pending.Find(sql, digest)!, policy, passkeys);
            var details = new Dictionary<string, string>
            {
                ["request_digest"] = digest,
                ["request_id"] = pending.RequestId,
                ["approver"] = approverId,
                ["key"] = key.Fingerprint,
                ["verdict"] = verdict == ApprovalVerdict.Approve ? "approve" : "reject",
                ["approvals"] = $"{after.ApprovedBy.Count} of {required}",
            };
            if (signCount is { } recorded) details["sign_count"] = recorded.ToString(CultureInfo.InvariantCulture);
            tx.Record(new AuditRecord
            {
                Principal = principal,
                Action = AuditActions.ApprovalRecorded,
                WalletId = pending.WalletId,
                Chain = pending.Chain,
                RequestDigest = Convert.FromHexString(pending.PayloadDigest),
                Details = details,
            });
            return new ApprovalSubmission(ApprovalSubmissionOutcome.Recorded,
                verdict == ApprovalVerdict.Reject ? "rejected: the request can no longer be signed" : "approval recorded", after.ApprovedBy.Count, required);
        }).ConfigureAwait(false);
    }

    public async Task<PasskeySignIn> SignInWithPasskeyAsync(ReadOnlyMemory<byte> credentialId, WebAuthnAssertion assertion, ReadOnlyMemory<byte> challenge,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        if (passkeys is null) return new PasskeySignIn(null, "passkeys are off: the daemon has no Passkeys:RpId and Passkeys:Origins configured");
        // The approver row's counter is what moves: the same lock as registering or revoking approvers.
        return await writer.CommitAsync(LockSet.Everything, tx =>
        {
            var sql = tx.Sql;
            var key = Approvers.ActiveByCredential(sql, credentialId.Span);
            if (key?.Passkey is not { } passkey) return new PasskeySignIn(null, "this passkey is not registered to an approver (or was revoked)");
            if (passkeys.Check(assertion, passkey, challenge.Span) is { } problem) return new PasskeySignIn(null, problem);
            var signCount = assertion.Authenticator.SignCount;
            if (Approvers.CounterRefusal(sql, key.ApproverId, signCount) is { } replayed) return new PasskeySignIn(null, replayed);
            Approvers.SetSignCount(sql, key.ApproverId, signCount);
            tx.Record(new AuditRecord
            {
                Principal = key.ApproverId,
                Action = AuditActions.ConsoleSignedIn,
                Details = new Dictionary<string, string>
                {
                    ["approver"] = key.ApproverId,
                    ["key"] = key.Fingerprint,
                    ["sign_count"] = signCount.ToString(CultureInfo.InvariantCulture),
                },
            });
            return new PasskeySignIn(key.ApproverId, null);
        }).ConfigureAwait(false);
    }

    /// <summary>A passkey's registration also names its credential id (public: the browser is asked for it).</summary>
    private static Dictionary<string, string> Passkey(Dictionary<string, string> details, string? credentialId)
    {
        if (credentialId is not null) details["credential_id"] = credentialId;
        return details;
    }

    private static LockSet Locks(PolicyScope scope) => scope.IsGlobal ? LockSet.Everything : LockSet.Wallet(scope.WalletId!);

    private static AuditRecord Record(string principal, string action, PolicyScope scope, IReadOnlyDictionary<string, string> details) =>
        new() { Principal = principal, Action = action, WalletId = scope.WalletId, Details = details };

    private static string? Reason(string? reason, bool required)
    {
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reason is null)
            return required ? throw new InvalidInputException("reason", "say why, for the audit log and whoever undoes it") : null;
        if (reason.Length > MaxReason || reason.Any(char.IsControl))
            throw new InvalidInputException("reason", $"one line of at most {MaxReason} characters");
        AuditText.Utf8("reason", reason); // refused before the change writes it anywhere
        return reason;
    }

    private static ApprovalSubmission Refused(string reason, int approvals, int required) =>
        new(ApprovalSubmissionOutcome.Refused, reason, approvals, required);

    private static string Normalize(string digest)
    {
        if (digest is null || digest.Length != 64 || !digest.All(char.IsAsciiHexDigit))
            throw new InvalidInputException("request_digest", "a request digest is 64 hex digits");
        return digest.ToLowerInvariant();
    }

    private static DateTimeOffset WholeMillis(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
}
