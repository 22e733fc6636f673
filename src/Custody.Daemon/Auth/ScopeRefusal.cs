using Custody.Daemon.Errors;

namespace Custody.Daemon.Auth;

/// <summary>A call the token's scope does not allow: the error for the caller, and the wallet it touched for the audit log (null: global).</summary>
public sealed record ScopeRefusal(ApiException Error, string? WalletId);
