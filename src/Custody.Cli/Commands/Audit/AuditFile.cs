using Custody.Core.Ledger;
using Custody.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Custody.Cli.Audit;

/// <summary>Opens an existing ledger file read-only for the audit verbs; storage errors become one line.</summary>
internal static class AuditFile
{
    public static async Task<int> ReadAsync(string path, Func<ILedger, Task<int>> action)
    {
        if (!File.Exists(path)) throw new CliException($"no ledger file at {path}");
        try
        {
            await using var ledger = SqliteLedger.OpenReadOnly(path);
            return await action(ledger).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or LedgerUnavailableException or Core.Audit.AuditLogTamperedException)
        {
            throw new CliException($"{path}: {e.Message}");
        }
    }
}
