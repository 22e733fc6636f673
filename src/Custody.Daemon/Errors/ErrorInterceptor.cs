using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Custody.Daemon.Errors;

/// <summary>Maps every exception of every call through <see cref="ErrorMapper"/>.</summary>
public sealed class ErrorInterceptor(ErrorMapper mapper) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw mapper.ToRpcException(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw mapper.ToRpcException(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // In a streaming call an IOException is the request stream: Kestrel fails the read when
            // the client resets the stream, sometimes before the call's token says it was cancelled.
            throw ErrorMapper.ClientReset();
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw mapper.ToRpcException(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // In a streaming call an IOException is the request stream: Kestrel fails the read when
            // the client resets the stream, sometimes before the call's token says it was cancelled.
            throw ErrorMapper.ClientReset();
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw mapper.ToRpcException(e, context);
        }
    }
}
