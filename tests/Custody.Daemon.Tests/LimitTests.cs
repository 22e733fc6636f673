using Custody.Daemon.Configuration;
using Custody.Daemon.Errors;
using Custody.Daemon.Limits;
using Custody.Daemon.Metrics;
using Grpc.Core;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Custody.Daemon.Tests;

public class LimitTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Now;

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => Now;
    }

    [Fact]
    public void A_token_bucket_allows_a_burst_then_its_rate()
    {
        var clock = new ManualClock();
        var bucket = new TokenBucket(ratePerSecond: 10, burst: 3, clock);
        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
        clock.Now += 100; // 0.1 s at 10/s: one more
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
        clock.Now += 10_000; // refills to the burst, not beyond
        Assert.Equal(3, Enumerable.Range(0, 10).Count(_ => bucket.TryTake()));
    }

    [Fact]
    public void Signing_slots_refuse_at_once_when_full_and_everything_once_stopping()
    {
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        using var slots = new SigningSlots(Options.Create(new DaemonOptions { Limits = new LimitOptions { MaxConcurrentSignatures = 2 } }), lifetime);
        var first = slots.Enter();
        using (slots.Enter())
        {
            var full = Assert.Throws<ApiException>(() => slots.Enter());
            Assert.Equal(StatusCode.ResourceExhausted, full.Code);
            Assert.Equal("OVERLOADED", full.Reason);
        }
        first.Dispose();
        using (slots.Enter()) Assert.Equal(1, slots.InUse);

        lifetime.StopApplication();
        var stopping = Assert.Throws<ApiException>(() => slots.Enter());
        Assert.Equal(StatusCode.Unavailable, stopping.Code);
        Assert.Equal("SHUTTING_DOWN", stopping.Reason);
    }

    [Fact]
    public void Histograms_render_cumulative_buckets_sum_and_count()
    {
        var metrics = new DaemonMetrics();
        metrics.RequestFinished("/m", "OK", TimeSpan.FromMilliseconds(0.3));
        metrics.RequestFinished("/m", "OK", TimeSpan.FromMilliseconds(3));
        metrics.RequestFinished("/m", "INTERNAL", TimeSpan.FromSeconds(20));
        var page = metrics.Render();
        Assert.Equal(2, Metrics.Sample(page, "custody_grpc_requests_total{method=\"/m\",code=\"OK\"}"));
        Assert.Equal(1, Metrics.Sample(page, "custody_grpc_request_duration_seconds_bucket{method=\"/m\",le=\"0.0005\"}"));
        Assert.Equal(2, Metrics.Sample(page, "custody_grpc_request_duration_seconds_bucket{method=\"/m\",le=\"0.005\"}"));
        Assert.Equal(2, Metrics.Sample(page, "custody_grpc_request_duration_seconds_bucket{method=\"/m\",le=\"10\"}"));
        Assert.Equal(3, Metrics.Sample(page, "custody_grpc_request_duration_seconds_bucket{method=\"/m\",le=\"+Inf\"}"));
        Assert.Equal(3, Metrics.Sample(page, "custody_grpc_request_duration_seconds_count{method=\"/m\"}"));
        Assert.Equal(20.0033, Metrics.Sample(page, "custody_grpc_request_duration_seconds_sum{method=\"/m\"}"), 4);
    }
}
