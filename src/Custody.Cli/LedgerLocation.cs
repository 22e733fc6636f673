using Custody.Storage;
using Custody.Storage.Engine;
using Custody.Storage.Postgres;
using Custody.Storage.Sqlite;

namespace Custody.Cli;

/// <summary>
/// Which ledger a command opens, by the daemon's own keys read from the environment (the command
/// line is no place for a database password): custody.db in the data directory by default; with
/// CUSTODY_STORAGE__ENGINE=postgres, the database that CUSTODY_STORAGE__CONNECTIONSTRINGFILE
/// (owner-only, password allowed) and CUSTODY_STORAGE__CONNECTIONSTRING name. The data directory
/// still holds the SoftHSM token, the audit key id, audit.vkey and admin.token.
/// </summary>
internal static class LedgerLocation
{
    private const string EngineVariable = "CUSTODY_STORAGE__ENGINE";

    public static bool IsPostgres
    {
        get
        {
            var engine = Environment.GetEnvironmentVariable(EngineVariable);
            return engine?.Trim().ToLowerInvariant() switch
            {
                null or "" or "sqlite" => false,
                "postgres" => true,
                _ => throw new CliException($"{EngineVariable} is '{engine}': sqlite or postgres"),
            };
        }
    }

    /// <summary>The ledger's engine; <paramref name="directory"/> is needed for the SQLite file only.</summary>
    public static LedgerEngine Engine(DataDirectory? directory)
    {
        if (!IsPostgres) return SqliteLedger.Engine(directory ?? throw new CliException("the SQLite ledger needs --data-dir"));
        try
        {
            return new PostgresEngine(PostgresConnection.Resolve(Environment.GetEnvironmentVariable("CUSTODY_STORAGE__CONNECTIONSTRING"),
                Environment.GetEnvironmentVariable("CUSTODY_STORAGE__CONNECTIONSTRINGFILE"), passwordAllowed: true));
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }
    }

    /// <summary>Whether the ledger of an installation is there: the file, or (the database being elsewhere) the audit key id init wrote.</summary>
    public static bool Exists(DataDirectory directory) => IsPostgres ? File.Exists(directory.AuditKeyId) : SqliteLedger.Exists(directory);
}
