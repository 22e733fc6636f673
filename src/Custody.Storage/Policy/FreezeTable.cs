using Custody.Core.Policy;
using Custody.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Policy;

/// <summary>Freeze flags, global and per wallet; read inside every admission transaction.</summary>
internal static class FreezeTable
{
    public static Task SetAsync(SqliteConnection connection, SqliteTransaction transaction, FreezeState freeze) =>
        connection.ExecuteAsync(
            """
            INSERT INTO policy_freezes (scope, frozen_by, frozen_at, reason) VALUES (@scope, @by, @at, @reason)
            ON CONFLICT (scope) DO UPDATE SET frozen_by = excluded.frozen_by, frozen_at = excluded.frozen_at, reason = excluded.reason
            """,
            new { scope = freeze.Scope.ToString(), by = freeze.FrozenBy, at = freeze.FrozenAt.ToUnixTimeMilliseconds(), reason = freeze.Reason },
            transaction);

    /// <summary>Clears a freeze; true when there was one.</summary>
    public static async Task<bool> ClearAsync(SqliteConnection connection, SqliteTransaction transaction, PolicyScope scope) =>
        await connection.ExecuteAsync("DELETE FROM policy_freezes WHERE scope = @scope", new { scope = scope.ToString() }, transaction)
            .ConfigureAwait(false) > 0;

    /// <summary>The freeze that stops this wallet: the global one first, else the wallet's own.</summary>
    public static FreezeState? InForce(Sql sql, string walletId) =>
        sql.First(
            """
            SELECT scope, frozen_by, frozen_at, reason
            FROM policy_freezes WHERE scope IN ('global', @wallet)
            ORDER BY scope = 'global' DESC LIMIT 1
            """,
            r => new FreezeState(PolicyScope.Parse(r.GetString(0)), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetString(3)),
            ("@wallet", PolicyScope.Wallet(walletId).ToString()));

    public static async Task<FreezeState?> GetAsync(SqliteConnection connection, SqliteTransaction? transaction, PolicyScope scope)
    {
        var row = await connection.QueryFirstOrDefaultAsync<Row>(
            "SELECT scope AS Scope, frozen_by AS FrozenBy, frozen_at AS FrozenAt, reason AS Reason FROM policy_freezes WHERE scope = @scope",
            new { scope = scope.ToString() }, transaction).ConfigureAwait(false);
        return row is null ? null : new FreezeState(scope, row.FrozenBy, DateTimeOffset.FromUnixTimeMilliseconds(row.FrozenAt), row.Reason);
    }

    private sealed class Row
    {
        public string Scope { get; set; } = "";
        public string FrozenBy { get; set; } = "";
        public long FrozenAt { get; set; }
        public string Reason { get; set; } = "";
    }
}
