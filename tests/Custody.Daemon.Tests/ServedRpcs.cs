using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Custody.Daemon.Tests;

/// <summary>
/// The rpcs a running daemon serves, read from its endpoints and the compiled service
/// descriptors (never from a list kept by hand), and a way to call any of them by descriptor.
/// </summary>
internal static class ServedRpcs
{
    /// <summary>Every served method by full name ("/custody.v1.WalletService/GetWallet"), with its descriptor.</summary>
    public static IReadOnlyDictionary<string, MethodDescriptor> Of(WebApplication app)
    {
        var methods = new SortedDictionary<string, MethodDescriptor>(StringComparer.Ordinal);
        foreach (var endpoint in ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints))
        {
            if (endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not { } grpc) continue;
            var service = ServiceDescriptorOf(grpc.ServiceType);
            var method = service.Methods.SingleOrDefault(m => FullName(m) == grpc.Method.FullName)
                ?? throw new InvalidOperationException($"{grpc.Method.FullName} is served but not in {service.FullName}'s descriptor");
            methods[FullName(method)] = method;
        }
        return methods;
    }

    public static string FullName(MethodDescriptor method) => $"/{method.Service.FullName}/{method.Name}";

    /// <summary>
    /// The generated base a service derives from is nested in a static class whose Descriptor
    /// property is the compiled service descriptor.
    /// </summary>
    private static ServiceDescriptor ServiceDescriptorOf(Type implementation)
    {
        for (var type = implementation; type is not null; type = type.BaseType)
        {
            if (type.DeclaringType?.GetProperty("Descriptor")?.GetValue(null) is ServiceDescriptor descriptor) return descriptor;
        }
        throw new InvalidOperationException($"{implementation} derives from no generated service base");
    }

    /// <summary>
    /// Calls <paramref name="method"/> with <paramref name="request"/>; a streaming call answers with
    /// its first response (a duplex or client stream sends the one request and completes; a server
    /// stream is cancelled after its first response).
    /// </summary>
    public static async Task<IMessage> CallAsync(CallInvoker invoker, MethodDescriptor method, IMessage request, Metadata headers)
    {
        if (request.Descriptor != method.InputType)
            throw new ArgumentException($"{FullName(method)} takes {method.InputType.FullName}, not {request.Descriptor.FullName}", nameof(request));
        var call = new Method<IMessage, IMessage>(TypeOf(method), method.Service.FullName, method.Name,
            Marshaller(method.InputType), Marshaller(method.OutputType));
        var options = new CallOptions(headers);
        switch (call.Type)
        {
            case MethodType.Unary:
                return await invoker.AsyncUnaryCall(call, null, options, request);
            case MethodType.ServerStreaming:
            {
                using var streaming = invoker.AsyncServerStreamingCall(call, null, options, request);
                return await FirstAsync(streaming.ResponseStream);
            }
            case MethodType.DuplexStreaming:
            {
                using var duplex = invoker.AsyncDuplexStreamingCall(call, null, options);
                await SendOneAsync(duplex.RequestStream, request);
                var first = await FirstAsync(duplex.ResponseStream);
                // Read to the end: leaving earlier resets the stream the server is still reading (an error in its log).
                while (await duplex.ResponseStream.MoveNext(CancellationToken.None)) { }
                return first;
            }
            default:
            {
                using var client = invoker.AsyncClientStreamingCall(call, null, options);
                await SendOneAsync(client.RequestStream, request);
                return await client.ResponseAsync;
            }
        }
    }

    private static MethodType TypeOf(MethodDescriptor method) => (method.IsClientStreaming, method.IsServerStreaming) switch
    {
        (false, false) => MethodType.Unary,
        (false, true) => MethodType.ServerStreaming,
        (true, false) => MethodType.ClientStreaming,
        (true, true) => MethodType.DuplexStreaming,
    };

    private static Marshaller<IMessage> Marshaller(MessageDescriptor type) =>
        Marshallers.Create<IMessage>(message => message.ToByteArray(), bytes => type.Parser.ParseFrom(bytes));

    private static async Task SendOneAsync(IClientStreamWriter<IMessage> requests, IMessage request)
    {
        try
        {
            await requests.WriteAsync(request);
            await requests.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server may refuse before the request is written; the write then reports only that
            // the call is over. The call's status, read from the response, says why.
        }
    }

    private static async Task<IMessage> FirstAsync(IAsyncStreamReader<IMessage> responses) =>
        await responses.MoveNext(CancellationToken.None) ? responses.Current : throw new InvalidOperationException("the stream ended without a response");
}
