using Custody.Hsm;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Custody.Daemon.Configuration;

/// <summary>
/// Serving while the HSM answers (<see cref="HsmConnection.Probe"/>); degraded, still serving, while it
/// is only saturated; not serving when it is gone or hung.
/// </summary>
public sealed class HsmHealthCheck(HsmConnection hsm) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probe = hsm.Probe();
        return Task.FromResult(probe.State switch
        {
            HsmProbeState.Answering => HealthCheckResult.Healthy(),
            HsmProbeState.Busy => HealthCheckResult.Degraded("HSM busy: " + probe.Detail),
            _ => HealthCheckResult.Unhealthy("HSM unavailable: " + probe.Detail),
        });
    }
}
