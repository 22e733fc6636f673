using Custody.Core.Ledger;
using Custody.Daemon.OperatorConsole;
using Microsoft.Extensions.Time.Testing;

namespace Custody.Daemon.Tests;

/// <summary>
/// The console's passkey sign-in challenges on a fake clock: random, answerable once, not after their
/// two minutes, and only if issued here. (The browser test shows the daemon refusing a replayed
/// sign-in and an unknown challenge end to end; expiry needs a clock the test moves.)
/// </summary>
public class ConsoleSessionsTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_challenge_is_random_and_answers_once()
    {
        var sessions = new ConsoleSessions(TimeSpan.FromMinutes(15), _clock);
        var challenge = sessions.IssueChallenge()!;
        Assert.Equal(ConsoleSessions.ChallengeBytes, challenge.Length);
        Assert.NotEqual(challenge, sessions.IssueChallenge());
        Assert.True(sessions.TakeChallenge(challenge));
        Assert.False(sessions.TakeChallenge(challenge));
        Assert.False(sessions.TakeChallenge(new byte[ConsoleSessions.ChallengeBytes]));
    }

    [Fact]
    public void A_challenge_expires_after_two_minutes()
    {
        var sessions = new ConsoleSessions(TimeSpan.FromMinutes(15), _clock);
        var answeredInTime = sessions.IssueChallenge()!;
        var late = sessions.IssueChallenge()!;
        _clock.Advance(ConsoleSessions.ChallengeLifetime - TimeSpan.FromSeconds(1));
        Assert.True(sessions.TakeChallenge(answeredInTime));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(sessions.TakeChallenge(late));
    }

    [Fact]
    public void A_passkey_session_carries_the_approver_identity_and_no_token()
    {
        var sessions = new ConsoleSessions(TimeSpan.FromMinutes(15), _clock);
        var session = sessions.Open(null, "alice", Roles.Approver);
        Assert.Null(session.Token);
        Assert.Equal(("alice", Roles.Approver), (session.Identity!.Principal, session.Identity.Roles));
        Assert.Null(sessions.Open("secret", "admin", Roles.Admin).Identity);
    }
}
