using Custody.Core.Policy;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Policy;

/// <summary>Approvers' registered public keys; revoked keys stay (so old approvals can be explained) but no longer count.</summary>
internal static class ApproverTable
{
    public static Task UpsertAsync(SqliteConnection connection, SqliteTransaction transaction, ApproverKey key, string registeredBy, DateTimeOffset at) =>
        connection.ExecuteAsync(
            """
            INSERT INTO policy_approvers (approver_id, algorithm, public_key, registered_by, registered_at, revoked_at)
            VALUES (@id, @algorithm, @key, @by, @at, NULL)
            ON CONFLICT (approver_id) DO UPDATE SET algorithm = excluded.algorithm, public_key = excluded.public_key,
                registered_by = excluded.registered_by, registered_at = excluded.registered_at, revoked_at = NULL
            """,
            new { id = key.ApproverId, algorithm = key.Algorithm.ToString(), key = key.PublicKey.ToArray(), by = registeredBy, at = at.ToUnixTimeMilliseconds() },
            transaction);

    public static async Task<bool> RevokeAsync(SqliteConnection connection, SqliteTransaction transaction, string approverId, DateTimeOffset at) =>
        await connection.ExecuteAsync(
            "UPDATE policy_approvers SET revoked_at = @at WHERE approver_id = @approverId AND revoked_at IS NULL",
            new { approverId, at = at.ToUnixTimeMilliseconds() }, transaction).ConfigureAwait(false) > 0;

    /// <summary>The approver's current key, or null when unknown or revoked.</summary>
    public static async Task<ApproverKey?> GetActiveAsync(SqliteConnection connection, SqliteTransaction? transaction, string approverId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            "SELECT algorithm AS Algorithm, public_key AS PublicKey FROM policy_approvers WHERE approver_id = @approverId AND revoked_at IS NULL",
            new { approverId }, transaction).ConfigureAwait(false);
        return row is null ? null : ApproverKey.Create(approverId, Enum.Parse<ApproverKeyAlgorithm>(row.Algorithm), row.PublicKey);
    }

    private sealed class Row
    {
        public string Algorithm { get; set; } = "";
        public byte[] PublicKey { get; set; } = [];
    }
}
