using Custody.Daemon.Errors;
using Custody.Core.Ledger;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon.Auth;

/// <summary>
/// Authenticates and authorises every call in one place: a valid, unrevoked bearer token;
/// a role that may call the method; and, for any request naming a wallet_id, a token whose
/// scope includes it. Refusals are logged with the principal (never the token) and audited.
/// </summary>
public sealed class AuthInterceptor(TokenAuthenticator authenticator, RefusalAudit refusals, ILogger<AuthInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthoriseAsync(context, request).ConfigureAwait(false);
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthoriseAsync(context, request).ConfigureAwait(false);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthoriseAsync<TRequest>(context, null).ConfigureAwait(false);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthoriseAsync<TRequest>(context, null).ConfigureAwait(false);
        await continuation(requestStream, responseStream, context).ConfigureAwait(false);
    }

    private async ValueTask AuthoriseAsync<TRequest>(ServerCallContext context, TRequest? request)
    {
        if (RpcPermissions.IsPublic(context.Method)) return;
        ApiToken token;
        try
        {
            token = await authenticator.AuthenticateAsync(context.RequestHeaders.GetValue("authorization"), context.CancellationToken)
                .ConfigureAwait(false);
        }
        catch (ApiException refusal)
        {
            Log.Unauthenticated(logger, context.Method, context.Peer, refusal.Message);
            refusals.Record("(unauthenticated)", context.Method, refusal.Message, null);
            throw;
        }
        var caller = new Caller(token.Principal, token.TokenId, token.Roles, token.Wallets, ClientCertificateSubject(context));

        var required = RpcPermissions.Required(context.Method);
        if ((caller.Roles & required) == Roles.None)
        {
            Log.Forbidden(logger, context.Method, caller.Principal, "ROLE_REQUIRED");
            refusals.Record(caller.Principal, context.Method, "ROLE_REQUIRED", null);
            throw ApiException.RoleRequired(required == Roles.None ? "(none: method not open)" : string.Join(" or ", RoleNames.ToList(required)));
        }
        if (WalletIdOf(request) is { Length: > 0 } walletId && !caller.Wallets.Allows(walletId))
        {
            Log.Forbidden(logger, context.Method, caller.Principal, "WALLET_NOT_IN_SCOPE");
            refusals.Record(caller.Principal, context.Method, "WALLET_NOT_IN_SCOPE", walletId);
            throw ApiException.NotInScope(walletId);
        }
        caller.AttachTo(context);
    }

    /// <summary>Every request that names a wallet does so in a string field "wallet_id".</summary>
    private static string? WalletIdOf<TRequest>(TRequest? request) =>
        request is IMessage message && message.Descriptor.FindFieldByName("wallet_id") is { } field &&
        field.FieldType == Google.Protobuf.Reflection.FieldType.String
            ? field.Accessor.GetValue(message) as string
            : null;

    private static string? ClientCertificateSubject(ServerCallContext context) =>
        context.GetHttpContext().Connection.ClientCertificate?.Subject;
}
