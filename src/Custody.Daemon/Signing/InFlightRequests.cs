using System.Collections.Concurrent;
using Custody.Daemon.Errors;

namespace Custody.Daemon.Signing;

/// <summary>
/// Request ids being worked on in this process: a second call with the same id while the
/// first is still signing is told to retry (ABORTED) instead of signing again. With one
/// daemon per SQLite file this in-memory claim is complete; several daemons on a shared
/// database would claim in the database instead.
/// </summary>
public sealed class InFlightRequests
{
    private readonly ConcurrentDictionary<(string Principal, string RequestId), byte> _claims = new();

    public Claim Enter(string principal, string requestId)
    {
        if (!_claims.TryAdd((principal, requestId), 0)) throw ApiException.RequestInProgress(requestId);
        return new Claim(this, (principal, requestId));
    }

    public readonly struct Claim(InFlightRequests owner, (string, string) key) : IDisposable
    {
        public void Dispose() => owner._claims.TryRemove(key, out _);
    }
}
