using Custody.V1;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class ObservabilityTests(DaemonFixture daemon)
{
    [Fact]
    public async Task Metrics_count_calls_by_method_and_code_on_the_loopback_metrics_port()
    {
        await daemon.System.PingAsync(new PingRequest(), DaemonFixture.Bearer(daemon.AdminToken));
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await daemon.System.PingAsync(new PingRequest()));

        var page = await daemon.MetricsAsync();
        Assert.True(Metrics.Sample(page, "custody_grpc_requests_total{method=\"/custody.v1.SystemService/Ping\",code=\"ok\"}") >= 1);
        Assert.True(Metrics.Sample(page, "custody_grpc_requests_total{method=\"/custody.v1.SystemService/Ping\",code=\"unauthenticated\"}") >= 1);
        Assert.Contains("# TYPE custody_grpc_request_duration_seconds histogram", page, StringComparison.Ordinal);
        Assert.True(Metrics.Sample(page, "custody_grpc_request_duration_seconds_bucket{method=\"/custody.v1.SystemService/Ping\",le=\"+Inf\"}") >= 2);
    }

    [Fact]
    public async Task No_secret_reaches_the_log_and_nothing_unexpected_was_logged_as_an_error()
    {
        await daemon.System.PingAsync(new PingRequest(), DaemonFixture.Bearer(daemon.SignerToken));
        foreach (var line in daemon.Logs.All)
        {
            foreach (var secret in daemon.Secrets)
                Assert.DoesNotContain(secret[4..], line, StringComparison.Ordinal);
        }
        Assert.True(daemon.Logs.Errors.IsEmpty, string.Join("\n", daemon.Logs.Errors));
    }
}
