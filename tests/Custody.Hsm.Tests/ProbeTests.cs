namespace Custody.Hsm.Tests;

/// <summary>
/// The health probe tells a saturated token (every session busy, operations finishing) from a hung
/// one (every session busy, nothing finishing) and from one that answers.
/// </summary>
[Collection(HsmCollection.Name)]
public class ProbeTests(SoftHsmFixture fixture)
{
    [Fact]
    public void A_token_with_a_free_session_answers()
    {
        Assert.Equal(HsmProbeState.Answering, fixture.Hsm.Probe().State);
    }

    [Fact]
    public async Task Every_session_busy_with_an_operation_that_finishes_is_busy_not_unavailable()
    {
        using var hsm = OneSession(TimeSpan.FromSeconds(30));
        using var release = new ManualResetEventSlim();
        var holder = Hold(hsm, release);
        var probe = Task.Factory.StartNew(hsm.Probe, TaskCreationOptions.LongRunning);
        // Behind the held session; a probe that finished did not wait at all.
        Eventually.Succeeds(() =>
        {
            Assert.False(probe.IsCompleted, "the probe did not wait");
            Assert.True(hsm.Pool.ProbesWaiting == 1, "the probe never waited");
            return true;
        }, TimeSpan.FromSeconds(20), e => e is not Xunit.Sdk.FalseException);
        release.Set(); // an operation finishes while the probe waits

        Assert.Equal(HsmProbeState.Busy, (await probe).State);
        await holder;
    }

    [Fact]
    public async Task Every_session_busy_with_nothing_finishing_is_unavailable()
    {
        using var hsm = OneSession(TimeSpan.FromMilliseconds(300));
        using var release = new ManualResetEventSlim();
        var holder = Hold(hsm, release);

        var probe = hsm.Probe();
        release.Set();
        await holder;

        Assert.Equal(HsmProbeState.Unavailable, probe.State);
        Assert.Contains("none finished", probe.Detail, StringComparison.Ordinal);
    }

    private HsmConnection OneSession(TimeSpan wait) =>
        HsmConnection.Open(fixture.Options(fixture.Hsm.TokenLabel) with { MaxSessions = 1, SessionWaitTimeout = wait });

    /// <summary>Leases the only session until <paramref name="release"/> is set; returns once it is leased.</summary>
    private static Task Hold(HsmConnection hsm, ManualResetEventSlim release)
    {
        using var leased = new ManualResetEventSlim();
        var holder = Task.Factory.StartNew(() => hsm.Pool.Execute("hold", _ =>
        {
            leased.Set();
            release.Wait();
            return true;
        }), TaskCreationOptions.LongRunning);
        leased.Wait();
        return holder;
    }
}
