using Custody.Daemon.Errors;
using Custody.Core.Ledger;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon.Auth;

/// <summary>
/// Authenticates and authorises every call in one place, by <see cref="RpcPermissions"/>: a
/// valid, unrevoked bearer token (or a console passkey session's <see cref="ConsoleIdentity"/>); a role that may call the method; a request that names the
/// caller names its own principal; and a wallet scope that reaches what the call touches
/// (<see cref="ScopeCheck"/>). Refusals are logged with the principal (never the token) and audited.
/// </summary>
public sealed class AuthInterceptor(TokenAuthenticator authenticator, ScopeCheck scopes, RefusalAudit refusals, ILogger<AuthInterceptor> logger)
    : Interceptor
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
        var permission = RpcPermissions.Of(context.Method);
        if (permission.IsPublic) return;
        ApiToken token;
        try
        {
            // A console passkey session has no token: the console site vouches for it (see ConsoleIdentity).
            token = ConsoleIdentity.Of(context.GetHttpContext())
                ?? await authenticator.AuthenticateAsync(context.RequestHeaders.GetValue("authorization"), context.CancellationToken).ConfigureAwait(false);
        }
        catch (ApiException refusal)
        {
            Log.Unauthenticated(logger, context.Method, context.Peer, refusal.Message);
            refusals.Record("(unauthenticated)", context.Method, refusal.Message, null);
            throw;
        }
        var caller = new Caller(token.Principal, token.TokenId, token.Roles, token.Wallets, ClientCertificateSubject(context));

        if ((caller.Roles & permission.Roles) == Roles.None)
        {
            throw Refused(context, caller, null, ApiException.RoleRequired(
                permission.Roles == Roles.None ? "(none: method not open)" : string.Join(" or ", RoleNames.ToList(permission.Roles))));
        }
        if (permission.CallerField is { } field && RequestFields.Get<string>(request, field) is { Length: > 0 } named && named != caller.Principal)
            throw Refused(context, caller, null, ApiException.PrincipalMismatch(field, named, caller.Principal));
        if (await scopes.RefusalAsync(permission.Scope, caller.Wallets, request, context.CancellationToken).ConfigureAwait(false) is { } outOfScope)
            throw Refused(context, caller, outOfScope.WalletId, outOfScope.Error);
        caller.AttachTo(context);
    }

    private ApiException Refused(ServerCallContext context, Caller caller, string? walletId, ApiException refusal)
    {
        Log.Forbidden(logger, context.Method, caller.Principal, refusal.Reason);
        refusals.Record(caller.Principal, context.Method, refusal.Reason, walletId);
        return refusal;
    }

    private static string? ClientCertificateSubject(ServerCallContext context) =>
        context.GetHttpContext().Connection.ClientCertificate?.Subject;
}
