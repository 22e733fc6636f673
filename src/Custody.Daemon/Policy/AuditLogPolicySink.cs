using Custody.Core.Audit;
using Custody.Core.Policy;
using Custody.Storage.Audit;

namespace Custody.Daemon.Policy;

/// <summary>The policy engine's changes (publications with their diff, freezes, approver keys, approvals) as audit records.</summary>
public sealed class AuditLogPolicySink(AuditLog audit) : IPolicyAuditSink
{
    private const string WalletScopePrefix = "wallet:";

    public async Task RecordAsync(PolicyAuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        await audit.AppendAsync(new AuditRecord
        {
            Principal = auditEvent.Principal,
            Action = auditEvent.Action,
            WalletId = auditEvent.Subject.StartsWith(WalletScopePrefix, StringComparison.Ordinal) ? auditEvent.Subject[WalletScopePrefix.Length..] : null,
            Details = new Dictionary<string, string> { ["subject"] = auditEvent.Subject, ["detail"] = auditEvent.Detail },
        }).ConfigureAwait(false);
    }
}
