using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Custody.Core.Ledger;

namespace Custody.Daemon.OperatorConsole;

/// <summary>
/// The console's signed-in sessions and outstanding passkey sign-in challenges, in memory only (a
/// restart signs everyone out). A token session holds the API token it was opened with, so every
/// console call is an API call authenticated by that token. A passkey session holds no token: it
/// speaks for the approver whose passkey signed in, with the approver role only, and the API's own
/// checks run on that identity (<see cref="Auth.ConsoleIdentity"/>). The browser holds only the
/// random session id (an HttpOnly cookie) and the CSRF token.
/// </summary>
public sealed class ConsoleSessions(TimeSpan lifetime, TimeProvider clock)
{
    private const int MaxSessions = 1_000;
    private const int MaxChallenges = 1_000;
    public const int ChallengeBytes = 32;

    /// <summary>How long a sign-in challenge may be answered: enough for a PIN or a fingerprint.</summary>
    public static readonly TimeSpan ChallengeLifetime = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _challenges = new(StringComparer.Ordinal);

    public TimeSpan Lifetime => lifetime;

    /// <summary>A session of an API token (<paramref name="token"/> is its secret) or, with <paramref name="token"/> null, of a passkey sign-in.</summary>
    public ConsoleSession Open(string? token, string principal, Roles roles)
    {
        var now = clock.GetUtcNow();
        Purge(_sessions, s => s.ExpiresAt, now);
        if (_sessions.Count >= MaxSessions) throw new InvalidOperationException("too many console sessions; sign out idle ones or wait for them to expire");
        var identity = token is null ? new ApiToken("console-passkey", principal, roles, WalletScope.All, now, null) : null;
        var session = new ConsoleSession(RandomId(), RandomId(), token, identity, principal, roles, now + lifetime);
        _sessions[session.Id] = session;
        return session;
    }

    /// <summary>The live session with this id, or null (unknown or expired: expired ones are dropped).</summary>
    public ConsoleSession? Find(string? id)
    {
        if (string.IsNullOrEmpty(id) || !_sessions.TryGetValue(id, out var session)) return null;
        if (session.ExpiresAt > clock.GetUtcNow()) return session;
        _sessions.TryRemove(id, out _);
        return null;
    }

    public void Close(string id) => _sessions.TryRemove(id, out _);

    /// <summary>A new random sign-in challenge, answerable once within <see cref="ChallengeLifetime"/>; null when too many are outstanding.</summary>
    public byte[]? IssueChallenge()
    {
        var now = clock.GetUtcNow();
        Purge(_challenges, expires => expires, now);
        if (_challenges.Count >= MaxChallenges) return null;
        var challenge = RandomNumberGenerator.GetBytes(ChallengeBytes);
        _challenges[Base64Url.EncodeToString(challenge)] = now + ChallengeLifetime;
        return challenge;
    }

    /// <summary>Whether <paramref name="challenge"/> was issued here and is unexpired; it is used up either way.</summary>
    public bool TakeChallenge(ReadOnlySpan<byte> challenge) =>
        challenge.Length == ChallengeBytes && _challenges.TryRemove(Base64Url.EncodeToString(challenge), out var expires) && expires > clock.GetUtcNow();

    private static void Purge<T>(ConcurrentDictionary<string, T> entries, Func<T, DateTimeOffset> expiry, DateTimeOffset now)
    {
        foreach (var (key, value) in entries)
            if (expiry(value) <= now) entries.TryRemove(key, out _);
    }

    private static string RandomId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}

/// <summary>
/// One sign-in: with an API token, or (Token null) a passkey's approver, whose <see cref="Identity"/> the API
/// checks instead of a token. <see cref="ToString"/> names the principal, never the token or ids.
/// </summary>
public sealed record ConsoleSession(string Id, string Csrf, string? Token, ApiToken? Identity, string Principal, Roles Roles, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"console session of {Principal}";
}
