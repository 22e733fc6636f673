using Custody.Core.Audit;
using Custody.Storage.Audit;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon.Auth;

/// <summary>
/// Writes every authentication and authorisation refusal to the audit log. The refused caller
/// does not wait for the commit (a flood of bad tokens must not queue behind fsyncs); a failed
/// append is logged.
/// </summary>
public sealed class RefusalAudit(AuditLog audit, ILogger<RefusalAudit> logger)
{
    public void Record(string principal, string method, string reason, string? walletId)
    {
        var record = new AuditRecord
        {
            Principal = principal,
            Action = "auth.refused",
            WalletId = walletId,
            Details = new Dictionary<string, string> { ["method"] = method, ["reason"] = reason },
        };
        audit.AppendAsync(record).ContinueWith(
            static (task, state) => Log.AuditAppendFailed((ILogger)state!, "auth.refused", task.Exception!.GetBaseException()),
            logger, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
