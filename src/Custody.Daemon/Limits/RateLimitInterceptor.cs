using System.Collections.Concurrent;
using Custody.Daemon.Auth;
using Custody.Daemon.Configuration;
using Custody.Daemon.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace Custody.Daemon.Limits;

/// <summary>Per-principal rate limit (a token bucket each), after authentication: RESOURCE_EXHAUSTED when spent.</summary>
public sealed class RateLimitInterceptor(IOptions<DaemonOptions> options, TimeProvider clock) : Interceptor
{
    private readonly LimitOptions _limits = options.Value.Limits;
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Admit(ServerCallContext context)
    {
        if (_limits.RequestsPerSecond <= 0 || Caller.TryOf(context) is not { } caller) return;
        var bucket = _buckets.GetOrAdd(caller.Principal,
            static (_, s) => new TokenBucket(s.Limits.RequestsPerSecond, Math.Max(1, s.Limits.Burst), s.Clock), (Limits: _limits, Clock: clock));
        if (!bucket.TryTake()) throw ApiException.RateLimited(caller.Principal);
    }
}
