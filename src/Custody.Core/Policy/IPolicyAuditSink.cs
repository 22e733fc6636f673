namespace Custody.Core.Policy;

/// <summary>
/// Where the policy engine reports changes; the daemon connects it to the audit log.
/// Called right after the change is committed; an exception here reaches the caller of the
/// administrative operation, so a failed audit write is never silent.
/// </summary>
public interface IPolicyAuditSink
{
    Task RecordAsync(PolicyAuditEvent auditEvent, CancellationToken cancellationToken);
}
