using System.ComponentModel.DataAnnotations;
using Custody.Hsm;
using Custody.Storage;
using Custody.Storage.Audit;
using Custody.Storage.Sqlite;

namespace Custody.Daemon.Configuration;

/// <summary>Configuration section "Audit": how often checkpoints are signed.</summary>
public sealed class AuditSettings
{
    [Range(1, int.MaxValue)]
    public int CheckpointEvery { get; set; } = 1000;

    [Range(0.001, 86_400.0)]
    public double CheckpointIntervalSeconds { get; set; } = 10;
}

/// <summary>Opens the audit log of the data directory, its checkpoints signed by the audit key in the HSM.</summary>
public static class AuditSetup
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

    public static AuditLog Open(DataDirectory dataDir, SqliteDatabase database, AuditSettings settings, HsmCheckpointSigner signer)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            return AuditLog.Open(database, signer, new AuditLogOptions
            {
                CheckpointEvery = settings.CheckpointEvery,
                CheckpointInterval = TimeSpan.FromSeconds(settings.CheckpointIntervalSeconds),
            });
        }
        catch (AuditLogTamperedException e)
        {
            throw new StartupException($"the audit log {dataDir.AuditDatabase} does not verify: {e.Message}");
        }
    }
}
