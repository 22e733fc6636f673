using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Custody.Daemon.Metrics;

/// <summary>Counts every call by method and final status code and times it; the outermost interceptor.</summary>
public sealed class MetricsInterceptor(CustodyMetrics metrics) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.Unknown;
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            code = context.Status.StatusCode;
            return response;
        }
        catch (RpcException e)
        {
            code = e.StatusCode;
            throw;
        }
        finally
        {
            metrics.RequestFinished(context.Method, CodeText(code), Stopwatch.GetElapsedTime(started));
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.Unknown;
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            code = context.Status.StatusCode;
        }
        catch (RpcException e)
        {
            code = e.StatusCode;
            throw;
        }
        finally
        {
            metrics.RequestFinished(context.Method, CodeText(code), Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>"ok", "permission_denied", …: the code's name as a label value, computed once.</summary>
    private static readonly Dictionary<StatusCode, string> CodeNames =
        Enum.GetValues<StatusCode>().ToDictionary(code => code, code => LabelValue.Of(code.ToString()));

    private static string CodeText(StatusCode code) => CodeNames.GetValueOrDefault(code, "unknown");
}
