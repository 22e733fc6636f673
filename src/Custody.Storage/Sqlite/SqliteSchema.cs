using Dapper;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Sqlite;

/// <summary>
/// Versioned schemas in one file: the table <c>schema_versions</c> holds one row per
/// component (audit, policy, …) with the number of migrations applied. Applying is
/// idempotent and runs in one IMMEDIATE transaction, so two processes starting at once
/// do not both migrate.
/// </summary>
public static class SqliteSchema
{
    /// <param name="migrations">migrations[i] takes the component from version i to i + 1.</param>
    public static void Apply(SqliteConnection connection, string component, IReadOnlyList<string> migrations)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(migrations);
        using var tx = connection.BeginTransaction(deferred: false);
        connection.Execute(
            "CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT",
            transaction: tx);
        var version = CurrentVersion(connection, component, tx);
        if (version > migrations.Count)
            throw new InvalidOperationException($"the {component} schema is at version {version}, newer than this build knows ({migrations.Count})");
        if (version == migrations.Count) return;
        for (var v = (int)version; v < migrations.Count; v++)
            connection.Execute(migrations[v], transaction: tx);
        connection.Execute(
            "INSERT INTO schema_versions (component, version) VALUES (@component, @version) "
            + "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
            new { component, version = (long)migrations.Count }, tx);
        tx.Commit();
    }

    /// <summary>The applied version of a component, 0 when it was never created.</summary>
    public static long CurrentVersion(SqliteConnection connection, string component, SqliteTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var exists = connection.ExecuteScalar<long>(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_versions'", transaction: transaction);
        return exists == 0
            ? 0
            : connection.ExecuteScalar<long?>("SELECT version FROM schema_versions WHERE component = @component", new { component }, transaction) ?? 0;
    }
}
