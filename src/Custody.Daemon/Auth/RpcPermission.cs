using Custody.Core.Ledger;

namespace Custody.Daemon.Auth;

/// <summary>Who may call one method.</summary>
/// <param name="Roles">Any one of these roles may call it.</param>
/// <param name="Scope">What a wallet-scoped token may do with it.</param>
/// <param name="CallerField">
/// A request field that names the caller itself (an approver submits only its own verdicts): it
/// must be empty or the caller's principal, and the service acts for the principal.
/// </param>
public sealed record RpcPermission(Roles Roles, ScopeRule Scope, string? CallerField = null)
{
    /// <summary>Open without a token: load balancers probe health before they hold secrets.</summary>
    public static RpcPermission Public { get; } = new(Roles.None, ScopeRule.None) { IsPublic = true };

    /// <summary>Nobody: what a method missing from the table gets.</summary>
    public static RpcPermission Closed { get; } = new(Roles.None, ScopeRule.Unscoped);

    public bool IsPublic { get; private init; }
}
