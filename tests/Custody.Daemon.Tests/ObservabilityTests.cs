using Microsoft.Extensions.Logging;
using Custody.V1;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class ObservabilityTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
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
    public async Task No_secret_reaches_the_log()
    {
        await daemon.System.PingAsync(new PingRequest(), DaemonFixture.Bearer(daemon.SignerToken));
        foreach (var line in daemon.Logs.All)
        {
            foreach (var secret in daemon.Secrets)
                Assert.DoesNotContain(secret[4..], line, StringComparison.Ordinal);
        }
    }
}

/// <summary>The per-test error guard fails a test that logged an error it did not expect, and passes one it declared.</summary>
public class LoggedTestGuardTests
{
    [Fact]
    public void An_unexpected_error_fails_the_test_and_a_declared_one_does_not()
    {
        var logs = new ErrorLogCollector();
        var logger = logs.CreateLogger("test");

        var quiet = new Probe(logs);
        logger.LogWarning("only a warning");
        quiet.Dispose();

        var noisy = new Probe(logs);
        logger.LogError("the HSM exploded");
        Assert.Contains("the HSM exploded", Assert.ThrowsAny<Xunit.Sdk.XunitException>(noisy.Dispose).Message, StringComparison.Ordinal);

        var declared = new Probe(logs);
        declared.Expect("exploded");
        logger.LogError("the HSM exploded again");
        declared.Dispose();
    }

    private sealed class Probe(ErrorLogCollector logs) : LoggedTest(logs)
    {
        public void Expect(string containing) => ExpectErrors(containing);
    }
}
