using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Custody.Daemon.OperatorConsole;

/// <summary>
/// The console's signed-in sessions, in memory only (a restart signs everyone out). A session
/// holds the API token it was opened with, so every console call is an API call authenticated by
/// that token: the same role, scope and revocation checks, no second permission system. The
/// browser holds only the random session id (an HttpOnly cookie) and the CSRF token.
/// </summary>
public sealed class ConsoleSessions(TimeSpan lifetime, TimeProvider clock)
{
    private const int MaxSessions = 1_000;
    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);

    public TimeSpan Lifetime => lifetime;

    public ConsoleSession Open(string token, string principal, string roles)
    {
        var now = clock.GetUtcNow();
        foreach (var (id, old) in _sessions)
            if (old.ExpiresAt <= now) _sessions.TryRemove(id, out _);
        if (_sessions.Count >= MaxSessions) throw new InvalidOperationException("too many console sessions; sign out idle ones or wait for them to expire");
        var session = new ConsoleSession(RandomId(), RandomId(), token, principal, roles, now + lifetime);
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

    private static string RandomId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>One sign-in; <see cref="ToString"/> names the principal, never the token or ids.</summary>
public sealed record ConsoleSession(string Id, string Csrf, string Token, string Principal, string Roles, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"console session of {Principal}";
}
