using Custody.Core.Ledger;
using Custody.Daemon.Errors;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Custody.Daemon.Configuration;

/// <summary>
/// Serving only while the ledger takes a write: a commit that changes nothing goes through the
/// same writer as a signature, so a full disk, read-only files or an unreachable database show here
/// (with the same reason a client would get) before the next signature meets them.
/// </summary>
public sealed class LedgerHealthCheck(ILedger ledger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await ledger.CheckAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (LedgerUnavailableException e)
        {
            return HealthCheckResult.Unhealthy($"{ErrorMapper.StorageReason(e.Fault)}: {e.Message}");
        }
    }
}
