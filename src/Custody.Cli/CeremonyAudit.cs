using Custody.Core.Audit;
using Custody.Core.Ledger;

namespace Custody.Cli;

/// <summary>
/// The installation's audit log as a ceremony writes to it: each step one durable record
/// (appended before the step's effect is visible to anyone else), signed off with a checkpoint
/// by the HSM audit key when the ceremony ends. Records hold public facts only — names,
/// fingerprints, piece labels and file paths, never words, seeds or PINs.
/// </summary>
internal sealed class CeremonyAudit : IAsyncDisposable
{
    private const int MaxErrorLength = 300;
    private readonly ILedger _ledger;

    private CeremonyAudit(ILedger ledger, string principal)
    {
        _ledger = ledger;
        Principal = principal;
    }

    /// <summary>"operator:NAME": who the records name.</summary>
    public string Principal { get; }

    public static CeremonyAudit Open(Installation installation, string principal)
    {
        ArgumentNullException.ThrowIfNull(installation);
        return new CeremonyAudit(installation.Ledger, OperatorPrincipal(principal));
    }

    public static string OperatorPrincipal(string principal) =>
        string.IsNullOrWhiteSpace(principal) ? throw new CliException("--operator must name who runs the ceremony") : "operator:" + principal.Trim();

    public async Task RecordAsync(string action, string? walletId, params (string Key, string Value)[] details)
    {
        await _ledger.Audit.AppendAsync(new AuditRecord
        {
            Principal = Principal,
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

    public async ValueTask DisposeAsync() => await _ledger.Audit.CheckpointAsync().ConfigureAwait(false);
}
