using Custody.Daemon.Configuration;
using Custody.Daemon.Errors;
using Custody.Daemon.Limits;
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
}
