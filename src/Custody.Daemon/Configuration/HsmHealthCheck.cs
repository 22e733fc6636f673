using Custody.Hsm;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Custody.Daemon.Configuration;

/// <summary>Serving only while the HSM answers: one byte from its generator (microseconds, no key used).</summary>
public sealed class HsmHealthCheck(HsmConnection hsm) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            hsm.Random.GetBytes(1);
            return Task.FromResult(HealthCheckResult.Healthy());
        }
        catch (HsmException e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("HSM unavailable: " + e.Error));
        }
    }
}
