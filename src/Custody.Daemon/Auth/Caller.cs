using Custody.Core.Ledger;
using Grpc.Core;

namespace Custody.Daemon.Auth;

/// <summary>
/// Who is calling, as the authentication interceptor established it: the principal of
/// the bearer token, its roles and wallet scope, and the TLS client certificate subject
/// when mutual TLS is on. Services, policy and audit read it from the call context.
/// </summary>
public sealed record Caller(string Principal, string TokenId, Roles Roles, WalletScope Wallets, string? CertificateSubject)
{
    private static readonly object Key = new();

    public void AttachTo(ServerCallContext context) => context.UserState[Key] = this;

    /// <summary>The caller of an authenticated call; a call that reached a service without one is a wiring fault.</summary>
    public static Caller Of(ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var caller) && caller is Caller c
            ? c
            : throw new InvalidOperationException("call reached a service without authentication");

    public static Caller? TryOf(ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var caller) ? caller as Caller : null;
}
