
namespace Custody.Core.Audit;

/// <summary>
/// The log on disk does not verify, so the appender refuses to open it: signing a new
/// checkpoint over altered records would launder the change.
/// </summary>
public sealed class AuditLogTamperedException : Exception
{
    public AuditLogTamperedException(AuditFailure failure)
        : base($"the audit log does not verify ({failure}); inspect it with 'custody-admin audit verify'")
    {
        Failure = failure;
    }

    public AuditFailure Failure { get; }
}
