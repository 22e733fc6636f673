using Custody.Core.Audit;
using Custody.Hsm;
using Custody.Storage;
using Custody.Storage.Audit;
using Custody.Storage.Sqlite;

namespace Custody.Cli;

/// <summary>
/// The installation's audit log as a ceremony writes to it: each step one durable record
/// (appended before the step's effect is visible to anyone else), signed off with a
/// checkpoint by the HSM audit key when the ceremony ends. Records hold public facts only —
/// names, fingerprints, piece labels and file paths, never words, seeds or PINs.
/// </summary>
internal sealed class CeremonyAudit : IAsyncDisposable
{
    private const int MaxErrorLength = 300;
    private readonly AuditLog _log;
    private readonly string _principal;

    private CeremonyAudit(AuditLog log, string principal)
    {
        _log = log;
        _principal = principal;
    }

    public static CeremonyAudit Open(Installation installation, string principal)
    {
        if (string.IsNullOrWhiteSpace(principal))
            throw new CliException("--operator must name who runs the ceremony");
        // The installation's audit key, which init created in the HSM and named in DIR/audit-key.id.
        var dir = installation.Directory;
        if (!File.Exists(dir.AuditKeyId) || !File.Exists(dir.AuditDatabase))
            throw new CliException($"{dir.Root} has no audit log or audit key ({Path.GetFileName(dir.AuditDatabase)}, {Path.GetFileName(dir.AuditKeyId)}): it was not made by custody-admin init");
        var signer = new HsmCheckpointSigner(installation.Hsm.Keys, HsmKeyId.Parse(File.ReadAllText(dir.AuditKeyId).Trim()), DataDirectory.AuditKeyName);
        AuditLog log;
        try
        {
            log = AuditLog.Open(new SqliteDatabase(dir.AuditDatabase), signer);
        }
        catch (AuditLogTamperedException e)
        {
            throw new CliException($"the audit log {dir.AuditDatabase} does not verify, so no ceremony can be recorded in it: {e.Message}");
        }
        return new CeremonyAudit(log, "operator:" + principal.Trim());
    }

    public async Task RecordAsync(string action, string? walletId, params (string Key, string Value)[] details)
    {
        await _log.AppendAsync(new AuditRecord
        {
            Principal = _principal,
            Action = action,
            WalletId = walletId,
            Details = details.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal),
        }).ConfigureAwait(false);
    }

    /// <summary>A failed step: the exception's type and message (ours never carry secrets), shortened.</summary>
    public Task RecordFailureAsync(string action, Exception error)
    {
        var message = error.Message.Length > MaxErrorLength ? error.Message[..MaxErrorLength] + "…" : error.Message;
        return RecordAsync(action, null, ("error", message), ("type", error.GetType().Name));
    }

    public async ValueTask DisposeAsync()
    {
        await _log.CheckpointAsync().ConfigureAwait(false);
        await _log.DisposeAsync().ConfigureAwait(false);
    }
}
