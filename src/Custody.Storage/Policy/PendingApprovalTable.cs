using Custody.Core.Policy;
using Custody.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Policy;

/// <summary>Parked requests and the signed approvals / rejections recorded for them.</summary>
internal static class PendingApprovalTable
{
    public static Task ParkAsync(SqliteConnection connection, SqliteTransaction transaction, PendingApproval pending, DateTimeOffset parkedAt) =>
        connection.ExecuteAsync(
            """
            INSERT INTO policy_pending (request_digest, request_id, principal, wallet, chain, payload_digest, intent, intent_digest,
                policy_version, received_at, parked_at, expires_at, required, state, rejected_by)
            VALUES (@RequestDigest, @RequestId, @Principal, @WalletId, @Chain, @PayloadDigest, @intent, @IntentDigest,
                @PolicyVersion, @receivedAt, @parkedAt, @expiresAt, @Required, @state, NULL)
            """,
            new
            {
                pending.RequestDigest, pending.RequestId, pending.Principal, pending.WalletId, pending.Chain, pending.PayloadDigest,
                intent = pending.Intent is null ? null : IntentJson.Write(pending.Intent),
                pending.IntentDigest, pending.PolicyVersion,
                receivedAt = pending.ReceivedAt.ToUnixTimeMilliseconds(),
                parkedAt = parkedAt.ToUnixTimeMilliseconds(),
                expiresAt = pending.ExpiresAt.ToUnixTimeMilliseconds(),
                pending.Required,
                state = pending.State.ToString(),
            },
            transaction);

    private const string SelectPending = """
        SELECT request_digest AS RequestDigest, request_id AS RequestId, principal AS Principal, wallet AS WalletId, chain AS Chain,
            payload_digest AS PayloadDigest, intent AS Intent, intent_digest AS IntentDigest, policy_version AS PolicyVersion,
            received_at AS ReceivedAt, expires_at AS ExpiresAt, required AS Required, state AS State, rejected_by AS RejectedBy
        FROM policy_pending
        """;

    public static async Task<PendingApproval?> FindAsync(SqliteConnection connection, SqliteTransaction? transaction, string requestDigest)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>(SelectPending + " WHERE request_digest = @requestDigest",
            new { requestDigest }, transaction).ConfigureAwait(false);
        return row is null ? null : ToPending(row);
    }

    /// <summary>
    /// Whether a request with this digest was ever parked: asked by every admission, so a cheap
    /// indexed probe, with the whole row read only when there is one.
    /// </summary>
    public static Task<PendingApproval?> FindAsync(Sql sql, string requestDigest) =>
        sql.Scalar<long>("SELECT EXISTS (SELECT 1 FROM policy_pending WHERE request_digest = @requestDigest)", ("@requestDigest", requestDigest)) == 0
            ? Task.FromResult<PendingApproval?>(null)
            : FindAsync(sql.Connection, sql.Transaction, requestDigest);

    /// <summary>Requests still waiting (state Pending, not past their expiry), oldest first; one wallet or all.</summary>
    public static async Task<IReadOnlyList<PendingApproval>> ListWaitingAsync(SqliteConnection connection, string? walletId, DateTimeOffset now, int limit)
    {
        var rows = await connection.QueryAsync<Row>(
            SelectPending + " WHERE state = 'Pending' AND expires_at >= @now AND (@walletId IS NULL OR wallet = @walletId) ORDER BY parked_at LIMIT @limit",
            new { walletId, now = now.ToUnixTimeMilliseconds(), limit }).ConfigureAwait(false);
        return rows.Select(ToPending).ToArray();
    }

    private static PendingApproval ToPending(Row row) => new(
            row.RequestDigest, row.RequestId, row.Principal, row.WalletId, row.Chain, row.PayloadDigest,
            row.Intent is null ? null : IntentJson.Parse(row.Intent),
            row.IntentDigest, row.PolicyVersion,
            DateTimeOffset.FromUnixTimeMilliseconds(row.ReceivedAt),
            DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt),
            (int)row.Required,
            Enum.Parse<PendingState>(row.State),
            row.RejectedBy);

    public static Task SetStateAsync(SqliteConnection connection, SqliteTransaction transaction, string requestDigest, PendingState state, string? rejectedBy = null) =>
        connection.ExecuteAsync(
            "UPDATE policy_pending SET state = @state, rejected_by = COALESCE(@rejectedBy, rejected_by) WHERE request_digest = @requestDigest",
            new { requestDigest, state = state.ToString(), rejectedBy }, transaction);

    public static async Task<IReadOnlyList<RecordedApproval>> ApprovalsAsync(SqliteConnection connection, SqliteTransaction? transaction, string requestDigest)
    {
        var rows = await connection.QueryAsync<ApprovalRow>(
            """
            SELECT approver_id AS ApproverId, verdict AS Verdict, signature AS Signature
            FROM policy_approvals WHERE request_digest = @requestDigest ORDER BY recorded_at, approver_id
            """,
            new { requestDigest }, transaction).ConfigureAwait(false);
        return rows.Select(r => new RecordedApproval(r.ApproverId, Enum.Parse<ApprovalVerdict>(r.Verdict), r.Signature)).ToArray();
    }

    /// <summary>Records (or replaces) one approver's verdict: one row per approver, so duplicates count once.</summary>
    public static Task PutApprovalAsync(SqliteConnection connection, SqliteTransaction transaction, string requestDigest,
        RecordedApproval approval, DateTimeOffset at) =>
        connection.ExecuteAsync(
            """
            INSERT INTO policy_approvals (request_digest, approver_id, verdict, signature, recorded_at)
            VALUES (@requestDigest, @approverId, @verdict, @signature, @at)
            ON CONFLICT (request_digest, approver_id) DO UPDATE SET verdict = excluded.verdict, signature = excluded.signature, recorded_at = excluded.recorded_at
            """,
            new { requestDigest, approverId = approval.ApproverId, verdict = approval.Verdict.ToString(), signature = approval.Signature, at = at.ToUnixTimeMilliseconds() },
            transaction);

    private sealed class Row
    {
        public string RequestDigest { get; set; } = "";
        public string RequestId { get; set; } = "";
        public string Principal { get; set; } = "";
        public string WalletId { get; set; } = "";
        public string Chain { get; set; } = "";
        public string PayloadDigest { get; set; } = "";
        public string? Intent { get; set; }
        public string IntentDigest { get; set; } = "";
        public long PolicyVersion { get; set; }
        public long ReceivedAt { get; set; }
        public long ExpiresAt { get; set; }
        public long Required { get; set; }
        public string State { get; set; } = "";
        public string? RejectedBy { get; set; }
    }

    private sealed class ApprovalRow
    {
        public string ApproverId { get; set; } = "";
        public string Verdict { get; set; } = "";
        public byte[] Signature { get; set; } = [];
    }
}

/// <summary>An approver's signed verdict as stored; it counts only after it verifies against the approver's key.</summary>
internal sealed record RecordedApproval(string ApproverId, ApprovalVerdict Verdict, byte[] Signature);
