using Google.Rpc;
using Grpc.Core;

namespace Custody.Daemon.Tests;

/// <summary>Asserts on a refused call: status code, ErrorInfo reason and domain, and metadata.</summary>
internal static class Errors
{
    public static async Task<ErrorInfo> RefusedAsync(StatusCode code, string reason, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(code == e.StatusCode, $"expected {code}, got {e.StatusCode}: {e.Status.Detail}");
        var info = e.GetRpcStatus()?.GetDetail<ErrorInfo>();
        Assert.NotNull(info);
        Assert.Equal(reason, info.Reason);
        Assert.Equal("custody.v1", info.Domain);
        Assert.DoesNotContain("   at ", e.Status.Detail, StringComparison.Ordinal); // never a stack trace
        return info;
    }

    public static Task<ErrorInfo> RefusedAsync<T>(StatusCode code, string reason, Func<AsyncUnaryCall<T>> call) =>
        RefusedAsync(code, reason, async () => await call());
}
