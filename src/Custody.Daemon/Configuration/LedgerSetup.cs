using System.ComponentModel.DataAnnotations;
using Custody.Core.Audit;
using Custody.Hsm;
using Custody.Storage;
using Custody.Storage.Engine;
using Custody.Storage.Postgres;
using Custody.Storage.Sqlite;

namespace Custody.Daemon.Configuration;

/// <summary>Configuration section "Audit": how often checkpoints are signed.</summary>
public sealed class AuditSettings
{
    /// <summary>Sign as soon as this many records are unsigned.</summary>
    [Range(1, int.MaxValue)]
    public int CheckpointEvery { get; set; } = 1000;

    /// <summary>Sign at least this often while records arrive (a crash can leave at most this much unsigned).</summary>
    [Range(0.001, 3600.0)]
    public double CheckpointIntervalSeconds { get; set; } = 1;
}

/// <summary>Opens the installation's ledger, its checkpoints signed by the audit key in the HSM.</summary>
public static class LedgerSetup
{
    /// <summary>The audit key of the installation, found in the HSM by the id init wrote.</summary>
    public static HsmCheckpointSigner Signer(DataDirectory dataDir, HsmConnection hsm)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        ArgumentNullException.ThrowIfNull(hsm);
        if (!File.Exists(dataDir.AuditKeyId))
            throw new StartupException($"{dataDir.AuditKeyId} is missing: the audit key id is written by custody-admin init");
        return new HsmCheckpointSigner(hsm.Keys, HsmKeyId.Parse(File.ReadAllText(dataDir.AuditKeyId).Trim()), DataDirectory.AuditKeyName);
    }

    /// <summary>Whether the data directory is an installation this configuration can open (with PostgreSQL the ledger lives elsewhere).</summary>
    public static bool Exists(DataDirectory dataDir, StorageOptions storage) =>
        storage.Engine == StorageEngine.Postgres ? File.Exists(dataDir.AuditKeyId) : SqliteLedger.Exists(dataDir);

    /// <summary>The engine the configuration names; with PostgreSQL, the password from the file or the environment only.</summary>
    public static LedgerEngine Engine(DataDirectory dataDir, StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        ArgumentNullException.ThrowIfNull(storage);
        if (storage.Engine == StorageEngine.Sqlite)
        {
            if (storage.ConnectionString is not null || storage.ConnectionStringFile is not null)
                throw new StartupException("Storage:ConnectionString and Storage:ConnectionStringFile are for Storage:Engine postgres; the SQLite ledger is custody.db in the data directory");
            return SqliteLedger.Engine(dataDir);
        }
        try
        {
            // The configuration check refused a password from anywhere but the environment.
            return new PostgresEngine(PostgresConnection.Resolve(storage.ConnectionString, storage.ConnectionStringFile, passwordAllowed: true));
        }
        catch (ArgumentException e)
        {
            throw new StartupException(e.Message);
        }
    }

    public static Ledger Open(DataDirectory dataDir, StorageOptions storage, AuditSettings settings, ICheckpointSigner signer, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        ArgumentNullException.ThrowIfNull(settings);
        var engine = Engine(dataDir, storage);
        var options = new LedgerOptions
        {
            CheckpointEvery = settings.CheckpointEvery,
            CheckpointInterval = TimeSpan.FromSeconds(settings.CheckpointIntervalSeconds),
            CheckpointSigner = signer,
            Time = time,
        };
        try
        {
            return Ledger.Open(engine, options);
        }
        catch (AuditLogTamperedException e)
        {
            throw new StartupException($"the audit log in {engine.Location} does not fit its head or checkpoints: {e.Message}");
        }
    }
}
