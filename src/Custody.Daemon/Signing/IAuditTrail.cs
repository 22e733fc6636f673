using Custody.Core.Audit;

namespace Custody.Daemon.Signing;

/// <summary>The daemon's view of the audit log: append a record durably and get its sequence number.</summary>
public interface IAuditTrail
{
    /// <summary>Returns once the record is committed to stable storage.</summary>
    Task<long> AppendAsync(AuditRecord record, CancellationToken cancellationToken);
}
