using Custody.Core.Ledger;
using Microsoft.AspNetCore.Http;

namespace Custody.Daemon.Auth;

/// <summary>
/// Who a console session without an API token (an approver's passkey sign-in) speaks for, handed from the
/// console site to <see cref="AuthInterceptor"/> in the request's <see cref="HttpContext.Items"/> under a key
/// only this class holds: no header or anything else a client sends can set it. The interceptor then runs
/// the same role, scope, rate-limit and audit checks as for a bearer token.
/// </summary>
public static class ConsoleIdentity
{
    private static readonly object Key = new();

    public static void Attach(HttpContext http, ApiToken identity)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Items[Key] = identity;
    }

    /// <summary>The identity the console attached to this request, or null (every request not from a passkey session).</summary>
    public static ApiToken? Of(HttpContext? http) =>
        http is not null && http.Items.TryGetValue(Key, out var identity) ? identity as ApiToken : null;
}
