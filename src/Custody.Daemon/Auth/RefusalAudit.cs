using Custody.Core.Audit;
using Custody.Core.Ledger;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon.Auth;

/// <summary>
/// Writes every authentication and authorisation refusal to the audit log. The refused caller
/// does not wait for the commit (a flood of bad tokens must not queue behind fsyncs); a failed
/// append is logged.
/// </summary>
public sealed class RefusalAudit(ILedger ledger, ILogger<RefusalAudit> logger)
{
    public void Record(string principal, string method, string reason, string? walletId)
    {
        var record = new AuditRecord
        {
            Principal = principal,
            Action = AuditActions.AuthRefused,
            WalletId = walletId,
            Details = new Dictionary<string, string> { ["method"] = method, ["reason"] = reason },
        };
        ledger.Audit.AppendAsync(record).ContinueWith(
            static (task, state) => Log.AuditAppendFailed((ILogger)state!, AuditActions.AuthRefused, task.Exception!.GetBaseException()),
            logger, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
