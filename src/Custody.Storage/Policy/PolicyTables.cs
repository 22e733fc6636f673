using System.Collections.Concurrent;
using System.Data.Common;
using Custody.Core;
using Custody.Core.Ledger;
using Custody.Core.Policy;
using Custody.Core.WebAuthn;
using Custody.Storage.Data;

namespace Custody.Storage.Policy;

/// <summary>
/// Append-only policy versions. A version number is unique across scopes; a request is judged by
/// the newest version of its wallet in force, else the newest global one. Parsed documents are
/// cached by version: a stored version never changes.
/// </summary>
internal sealed class PolicyVersions
{
    private readonly ConcurrentDictionary<long, VersionedPolicy> _parsed = new();

    public static long Append(Sql sql, PolicyScope scope, string canonicalDocument, DateTimeOffset effectiveFrom, string publishedBy) =>
        sql.Scalar<long>(
            """
            INSERT INTO policy_versions (scope, document, effective_from, published_by)
            VALUES (@scope, @document, @from, @by) RETURNING version
            """,
            ("@scope", scope.ToString()), ("@document", canonicalDocument), ("@from", Rows.Millis(effectiveFrom)), ("@by", publishedBy));

    /// <summary>
    /// The version in force for the wallet: its own newest, else the global newest. A version is in
    /// force once it is stored, not from its publisher's clock: several processes share the store, and
    /// one whose clock runs behind must not go on judging by the version a stricter one replaced.
    /// </summary>
    public VersionedPolicy? InForce(Sql sql, string walletId)
    {
        var version = sql.Scalar<long?>(
            """
            SELECT version FROM policy_versions
            WHERE scope IN (@wallet, 'global')
            ORDER BY CASE WHEN scope = 'global' THEN 1 ELSE 0 END, version DESC
            LIMIT 1
            """,
            ("@wallet", PolicyScope.Wallet(walletId).ToString()));
        return version is { } v ? Get(sql, v) : null;
    }

    public VersionedPolicy? Get(Sql sql, long version)
    {
        if (_parsed.TryGetValue(version, out var cached)) return cached;
        return sql.First("SELECT version, scope, document, effective_from FROM policy_versions WHERE version = @version",
            r => _parsed.GetOrAdd(r.GetInt64(0), _ => new VersionedPolicy(r.GetInt64(0), PolicyScope.Parse(r.GetString(1)),
                PolicyJson.Parse(r.GetString(2)), r.Millis(3))),
            ("@version", version));
    }

    /// <summary>The newest version of exactly this scope (no global fallback).</summary>
    public static (long Version, string Document)? Latest(Sql sql, PolicyScope scope) =>
        sql.First("SELECT version, document FROM policy_versions WHERE scope = @scope ORDER BY version DESC LIMIT 1",
            r => ((long, string)?)(r.GetInt64(0), r.GetString(1)), ("@scope", scope.ToString()));
}

/// <summary>Freeze flags, global and per wallet; read inside every judgement.</summary>
internal static class Freezes
{
    public static void Set(Sql sql, FreezeState freeze) =>
        sql.Execute(
            """
            INSERT INTO policy_freezes (scope, frozen_by, frozen_at, reason) VALUES (@scope, @by, @at, @reason)
            ON CONFLICT (scope) DO UPDATE SET frozen_by = excluded.frozen_by, frozen_at = excluded.frozen_at, reason = excluded.reason
            """,
            ("@scope", freeze.Scope.ToString()), ("@by", freeze.FrozenBy), ("@at", Rows.Millis(freeze.FrozenAt)), ("@reason", freeze.Reason));

    public static bool Clear(Sql sql, PolicyScope scope) =>
        sql.Execute("DELETE FROM policy_freezes WHERE scope = @scope", ("@scope", scope.ToString())) > 0;

    /// <summary>The freeze that stops this wallet: the global one first, else the wallet's own.</summary>
    public static FreezeState? InForce(Sql sql, string walletId) =>
        sql.First(
            """
            SELECT scope, frozen_by, frozen_at, reason FROM policy_freezes WHERE scope IN ('global', @wallet)
            ORDER BY CASE WHEN scope = 'global' THEN 0 ELSE 1 END LIMIT 1
            """,
            Read, ("@wallet", PolicyScope.Wallet(walletId).ToString()));

    public static FreezeState? Get(Sql sql, PolicyScope scope) =>
        sql.First("SELECT scope, frozen_by, frozen_at, reason FROM policy_freezes WHERE scope = @scope", Read, ("@scope", scope.ToString()));

    /// <summary>Wallets frozen one by one, and whether the global freeze is on.</summary>
    public static (long Wallets, bool Global) Count(Sql sql) =>
        (sql.Scalar<long>("SELECT count(*) FROM policy_freezes WHERE scope <> 'global'"),
         sql.Scalar<long>("SELECT count(*) FROM policy_freezes WHERE scope = 'global'") > 0);

    private static FreezeState Read(DbDataReader r) => new(PolicyScope.Parse(r.GetString(0)), r.GetString(1), r.Millis(2), r.GetString(3));
}

/// <summary>
/// Approvers' registered public keys; revoked keys stay (so old approvals can be explained) but no longer
/// count. A passkey also has its credential id and the last signature counter its authenticator reported.
/// </summary>
internal static class Approvers
{
    /// <summary>Registers or replaces the approver's key; a new key starts its counter at 0.</summary>
    public static void Upsert(Sql sql, ApproverKey key, string registeredBy, DateTimeOffset at) =>
        sql.Execute(
            """
            INSERT INTO policy_approvers (approver_id, algorithm, public_key, registered_by, registered_at, revoked_at, credential_id, sign_count)
            VALUES (@id, @algorithm, @key, @by, @at, NULL, @credential, 0)
            ON CONFLICT (approver_id) DO UPDATE SET algorithm = excluded.algorithm, public_key = excluded.public_key,
                registered_by = excluded.registered_by, registered_at = excluded.registered_at, revoked_at = NULL,
                credential_id = excluded.credential_id, sign_count = 0
            """,
            ("@id", key.ApproverId), ("@algorithm", key.Algorithm.ToString()), ("@key", key.PublicKey.ToArray()), ("@by", registeredBy), ("@at", Rows.Millis(at)),
            ("@credential", key.Passkey?.CredentialId.ToArray()));

    /// <summary>The last signature counter recorded for the approver's passkey.</summary>
    public static uint SignCount(Sql sql, string approverId) =>
        (uint)sql.Scalar<long>("SELECT sign_count FROM policy_approvers WHERE approver_id = @id", ("@id", approverId));

    /// <summary>
    /// Why a passkey assertion's counter is refused, or null: it must rise above the last one recorded (WebAuthn
    /// Level 3 §7.2 step 22), so the same assertion sent again, or one from a cloned authenticator, is refused;
    /// 0 after 0 is an authenticator that keeps no counter.
    /// </summary>
    public static string? CounterRefusal(Sql sql, string approverId, uint signCount)
    {
        var last = SignCount(sql, approverId);
        return (signCount != 0 || last != 0) && signCount <= last
            ? $"the passkey's signature counter did not advance ({signCount} after {last}): a replayed assertion or a cloned authenticator"
            : null;
    }

    public static void SetSignCount(Sql sql, string approverId, uint signCount) =>
        sql.Execute("UPDATE policy_approvers SET sign_count = @count WHERE approver_id = @id", ("@id", approverId), ("@count", (long)signCount));

    public static bool Revoke(Sql sql, string approverId, DateTimeOffset at) =>
        sql.Execute("UPDATE policy_approvers SET revoked_at = @at WHERE approver_id = @id AND revoked_at IS NULL",
            ("@id", approverId), ("@at", Rows.Millis(at))) > 0;

    /// <summary>The approver whose current (unrevoked) passkey has this credential id, with the key, or null.</summary>
    public static ApproverKey? ActiveByCredential(Sql sql, ReadOnlySpan<byte> credentialId) =>
        sql.First("SELECT approver_id, algorithm, public_key, credential_id FROM policy_approvers WHERE credential_id = @credential AND revoked_at IS NULL",
            r => ApproverKey.Create(r.GetString(0), Enum.Parse<ApproverKeyAlgorithm>(r.GetString(1)), r.Bytes(2), r.Bytes(3)), ("@credential", credentialId.ToArray()));

    /// <summary>The approver's current key, or null when unknown or revoked.</summary>
    public static ApproverKey? Active(Sql sql, string approverId) =>
        sql.First("SELECT algorithm, public_key, credential_id FROM policy_approvers WHERE approver_id = @id AND revoked_at IS NULL",
            r => ApproverKey.Create(approverId, Enum.Parse<ApproverKeyAlgorithm>(r.GetString(0)), r.Bytes(1), r.IsDBNull(2) ? default : r.Bytes(2)), ("@id", approverId));
}

/// <summary>Parked requests and the signed approvals / rejections recorded for them.</summary>
internal static class Pending
{
    private const string Columns = """
        request_digest, request_id, principal, wallet, chain, payload_digest, intent, intent_digest,
        policy_version, received_at, expires_at, required, state, rejected_by
        """;

    public static void Park(Sql sql, PendingApproval pending, DateTimeOffset parkedAt) =>
        sql.Execute(
            $"""
            INSERT INTO policy_pending ({Columns}, parked_at)
            VALUES (@digest, @requestId, @principal, @wallet, @chain, @payload, @intent, @intentDigest,
                @version, @received, @expires, @required, @state, NULL, @parked)
            """,
            ("@digest", pending.RequestDigest), ("@requestId", pending.RequestId), ("@principal", pending.Principal), ("@wallet", pending.WalletId),
            ("@chain", pending.Chain), ("@payload", pending.PayloadDigest), ("@intent", pending.Intent is null ? null : IntentJson.Write(pending.Intent)),
            ("@intentDigest", pending.IntentDigest), ("@version", pending.PolicyVersion), ("@received", Rows.Millis(pending.ReceivedAt)),
            ("@expires", Rows.Millis(pending.ExpiresAt)), ("@required", (long)pending.Required), ("@state", pending.State.ToString()),
            ("@parked", Rows.Millis(parkedAt)));

    public static PendingApproval? Find(Sql sql, string requestDigest) =>
        sql.First($"SELECT {Columns} FROM policy_pending WHERE request_digest = @digest", Read, ("@digest", requestDigest));

    /// <summary>Requests still waiting (state Pending, not past their expiry), oldest first; one wallet or all.</summary>
    public static List<PendingApproval> Waiting(Sql sql, string? walletId, DateTimeOffset now, int limit) => walletId is null
        ? sql.Query($"SELECT {Columns} FROM policy_pending WHERE state = 'Pending' AND expires_at >= @now ORDER BY parked_at LIMIT @limit",
            Read, ("@now", Rows.Millis(now)), ("@limit", (long)limit))
        : sql.Query($"SELECT {Columns} FROM policy_pending WHERE state = 'Pending' AND expires_at >= @now AND wallet = @wallet ORDER BY parked_at LIMIT @limit",
            Read, ("@now", Rows.Millis(now)), ("@wallet", walletId), ("@limit", (long)limit));

    /// <summary>How many requests are still waiting (as <see cref="Waiting"/>, without the rows).</summary>
    public static long CountWaiting(Sql sql, DateTimeOffset now) =>
        sql.Scalar<long>("SELECT count(*) FROM policy_pending WHERE state = 'Pending' AND expires_at >= @now", ("@now", Rows.Millis(now)));

    public static void Release(Sql sql, string requestDigest) =>
        sql.Execute("UPDATE policy_pending SET state = 'Released' WHERE request_digest = @digest AND state = 'Pending'", ("@digest", requestDigest));

    /// <summary>Requests still in state Pending whose window closed before <paramref name="now"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public static List<PendingApproval> Due(Sql sql, DateTimeOffset now, int limit) =>
        sql.Query($"SELECT {Columns} FROM policy_pending WHERE state = 'Pending' AND expires_at < @now ORDER BY expires_at LIMIT @limit",
            Read, ("@now", Rows.Millis(now)), ("@limit", (long)limit));

    public static bool Expire(Sql sql, string requestDigest) =>
        sql.Execute("UPDATE policy_pending SET state = 'Expired' WHERE request_digest = @digest AND state = 'Pending'", ("@digest", requestDigest)) > 0;

    public static void Reject(Sql sql, string requestDigest, string rejectedBy) =>
        sql.Execute("UPDATE policy_pending SET state = 'Rejected', rejected_by = @by WHERE request_digest = @digest",
            ("@digest", requestDigest), ("@by", rejectedBy));

    public static List<RecordedApproval> Approvals(Sql sql, string requestDigest) =>
        sql.Query(
            """
            SELECT approver_id, verdict, signature, authenticator_data, client_data_json FROM policy_approvals
            WHERE request_digest = @digest ORDER BY recorded_at, approver_id
            """,
            r => new RecordedApproval(r.GetString(0), Enum.Parse<ApprovalVerdict>(r.GetString(1)), Proof(r)), ("@digest", requestDigest));

    /// <summary>A stored proof; an assertion stored was checked when it was recorded, so it parses again (one that does not counts for nothing).</summary>
    private static ApprovalProof? Proof(DbDataReader r)
    {
        if (r.IsDBNull(3)) return ApprovalProof.RawSignature(r.Bytes(2));
        try
        {
            return ApprovalProof.FromPasskey(WebAuthnAssertion.Parse(r.Bytes(3), r.Bytes(4), r.Bytes(2)));
        }
        catch (InvalidInputException)
        {
            return null;
        }
    }

    /// <summary>Records (or replaces) one approver's verdict: one row per approver, so duplicates count once.</summary>
    public static void PutApproval(Sql sql, string requestDigest, RecordedApproval approval, DateTimeOffset at) =>
        sql.Execute(
            """
            INSERT INTO policy_approvals (request_digest, approver_id, verdict, signature, recorded_at, authenticator_data, client_data_json)
            VALUES (@digest, @approver, @verdict, @signature, @at, @authData, @clientData)
            ON CONFLICT (request_digest, approver_id) DO UPDATE SET verdict = excluded.verdict, signature = excluded.signature, recorded_at = excluded.recorded_at,
                authenticator_data = excluded.authenticator_data, client_data_json = excluded.client_data_json
            """,
            ("@digest", requestDigest), ("@approver", approval.ApproverId), ("@verdict", approval.Verdict.ToString()),
            ("@signature", approval.Proof!.Signature.ToArray()), ("@at", Rows.Millis(at)),
            ("@authData", approval.Proof.Passkey?.AuthenticatorDataBytes.ToArray()), ("@clientData", approval.Proof.Passkey?.ClientDataJson.ToArray()));

    /// <summary>
    /// Counts a parked request's approvals the way the signer must before it signs: each signature
    /// verified again against the approver's current (not revoked) key over the canonical statement;
    /// only approvers the judging policy names, never the requester; one vote per approver and per
    /// key (one person registered twice counts once). A passkey's assertion is checked again in full but
    /// for its signature counter, which was compared when it was recorded and has moved on since.
    /// </summary>
    public static ApprovalTally Tally(Sql sql, PendingApproval pending, VersionedPolicy? policy, RelyingParty? passkeys)
    {
        var approvers = policy?.Document.Approvals?.Approvers ?? new HashSet<string>();
        var approvedBy = new List<string>();
        var keysSeen = new HashSet<string>(StringComparer.Ordinal);
        var rejectedBy = pending.State == PendingState.Rejected ? pending.RejectedBy ?? "an approver" : null;
        foreach (var approval in Approvals(sql, pending.RequestDigest))
        {
            if (!approvers.Contains(approval.ApproverId) || approval.ApproverId == pending.Principal) continue;
            var key = Approvers.Active(sql, approval.ApproverId);
            if (key is null || approval.Proof is null || key.Check(pending.Statement(approval.Verdict).ToBytes(), approval.Proof, passkeys) is not null) continue;
            if (approval.Verdict == ApprovalVerdict.Reject)
                rejectedBy ??= approval.ApproverId;
            else if (keysSeen.Add(key.Fingerprint))
                approvedBy.Add(approval.ApproverId);
        }
        return new ApprovalTally(approvedBy, rejectedBy, pending.ExpiresAt);
    }

    private static PendingApproval Read(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        r.NullableString(6) is { } intent ? IntentJson.Parse(intent) : null,
        r.GetString(7), r.GetInt64(8), r.Millis(9), r.Millis(10), (int)r.GetInt64(11),
        Enum.Parse<PendingState>(r.GetString(12)), r.NullableString(13) is { Length: > 0 } rejectedBy ? rejectedBy : null);
}

/// <summary>An approver's verdict as stored; it counts only after its proof verifies against the approver's key (null: unreadable).</summary>
internal sealed record RecordedApproval(string ApproverId, ApprovalVerdict Verdict, ApprovalProof? Proof);
