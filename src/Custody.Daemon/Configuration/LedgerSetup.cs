using System.ComponentModel.DataAnnotations;
using Custody.Core.Audit;
using Custody.Core.Audit.Notes;
using Custody.Daemon.Audit;
using Custody.Hsm;
using Custody.Storage;
using Custody.Storage.Sqlite;
using Custody.Storage.Witness;

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

    /// <summary>Where each checkpoint goes outside the installation (docs/witness.md); none by default.</summary>
    public List<WitnessOptions> Witnesses { get; set; } = [];
}

/// <summary>One witness: a C2SP tlog-witness service (Url, and its Key) or an append-only file on another mount (File).</summary>
public sealed class WitnessOptions
{
    /// <summary>The witness's submission prefix: checkpoints are POSTed to {Url}/add-checkpoint.</summary>
    [HttpUrl]
    public string? Url { get; set; }

    /// <summary>The witness's verifier key (&lt;name&gt;+&lt;id&gt;+&lt;key&gt;): its cosignature of each checkpoint is checked.</summary>
    [VerifierKey]
    public string? Key { get; set; }

    /// <summary>An append-only file (created if missing) in an existing directory, best on another mount than the data directory.</summary>
    [FileInExistingDirectory]
    public string? File { get; set; }

    /// <summary>The label of this witness in metrics and logs.</summary>
    public string Name => Url ?? File ?? "";
}

/// <summary>Opens the installation's ledger, its checkpoints signed by the audit key in the HSM.</summary>
public static class LedgerSetup
{
    /// <summary>How long a witness service may take to answer one call.</summary>
    public static readonly TimeSpan WitnessTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The configured witnesses (each entry a Url or a File, checked here since it spans two keys).</summary>
    public static IReadOnlyList<IWitness> Witnesses(AuditSettings settings, NoteVerifierKey logKey, HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var witnesses = new List<IWitness>();
        for (var i = 0; i < settings.Witnesses.Count; i++)
        {
            var entry = settings.Witnesses[i];
            bool Set(string? value) => !string.IsNullOrWhiteSpace(value);
            if (Set(entry.Url) == Set(entry.File))
                throw new StartupException($"Audit:Witnesses:{i}: set either Url (a witness service) or File (a witness file), not {(Set(entry.Url) ? "both" : "neither")}");
            if (Set(entry.Key) && !Set(entry.Url))
                throw new StartupException($"Audit:Witnesses:{i}: Key is the key of a witness service (Url); a witness file signs nothing");
            witnesses.Add(Set(entry.Url)
                ? new HttpWitness(new Uri(entry.Url!), Set(entry.Key) ? NoteVerifierKey.Parse(entry.Key!.Trim()) : null, http)
                : new FileWitness(new WitnessFile(entry.File!, logKey)));
        }
        return witnesses;
    }

    /// <summary>The audit key of the installation, found in the HSM by the id init wrote.</summary>
    public static HsmCheckpointSigner Signer(DataDirectory dataDir, HsmConnection hsm)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        ArgumentNullException.ThrowIfNull(hsm);
        if (!File.Exists(dataDir.AuditKeyId))
            throw new StartupException($"{dataDir.AuditKeyId} is missing: the audit key id is written by custody-admin init");
        return new HsmCheckpointSigner(hsm.Keys, HsmKeyId.Parse(File.ReadAllText(dataDir.AuditKeyId).Trim()), DataDirectory.AuditKeyName);
    }

    public static Ledger Open(DataDirectory dataDir, AuditSettings settings, ICheckpointSigner signer, TimeProvider time, CheckpointWitnesses? witnesses = null)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        ArgumentNullException.ThrowIfNull(settings);
        var options = new LedgerOptions
        {
            CheckpointEvery = settings.CheckpointEvery,
            CheckpointInterval = TimeSpan.FromSeconds(settings.CheckpointIntervalSeconds),
            CheckpointSigner = signer,
            Witnesses = witnesses is { Any: true } ? witnesses : null,
            Time = time,
        };
        try
        {
            var ledger = SqliteLedger.Open(dataDir, options);
            witnesses?.Start(ledger.Audit);
            return ledger;
        }
        catch (AuditLogTamperedException e)
        {
            throw new StartupException($"the audit log in {dataDir.Ledger} does not fit its head or checkpoints: {e.Message}");
        }
    }
}
