using Custody.Core.Ledger;
using Custody.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Custody.Cli.Audit;

/// <summary>
/// Opens an existing ledger for the audit verbs, only to read: a file read-only, or (without a
/// path, with CUSTODY_STORAGE__ENGINE=postgres) the PostgreSQL ledger. Storage errors become one line.
/// </summary>
internal static class AuditFile
{
    public static async Task<int> ReadAsync(string? path, Func<ILedger, Task<int>> action)
    {
        if (path is null && !LedgerLocation.IsPostgres)
            throw new CliException("--db is required: the ledger file (DIR/custody.db), or set CUSTODY_STORAGE__ENGINE=postgres for the PostgreSQL ledger");
        if (path is not null && !File.Exists(path)) throw new CliException($"no ledger file at {path}");
        var where = path ?? "the PostgreSQL ledger";
        try
        {
            await using var ledger = path is null ? Storage.Ledger.OpenForVerification(LedgerLocation.Engine(null)) : SqliteLedger.OpenReadOnly(path);
            return await action(ledger).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteException or Npgsql.NpgsqlException or InvalidOperationException or LedgerUnavailableException or Core.Audit.AuditLogTamperedException)
        {
            throw new CliException($"{where}: {e.Message}");
        }
    }
}
