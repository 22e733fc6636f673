namespace Custody.Core.Audit;

/// <summary>Times are stored as microseconds since the Unix epoch, the precision of a record.</summary>
public static class AuditTime
{
    public static long ToMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
}
