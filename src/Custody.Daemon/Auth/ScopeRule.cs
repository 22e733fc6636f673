namespace Custody.Daemon.Auth;

/// <summary>
/// What a token scoped to some wallets may do with a method: which wallet the call touches,
/// found from the request. An unscoped token passes every rule.
/// </summary>
public enum ScopeRule
{
    /// <summary>The call touches no wallet and answers nothing of one (Ping, reflection, consistency proofs).</summary>
    None,

    /// <summary>A global object (wallet creation, approvers, the whole audit log): unscoped tokens only.</summary>
    Unscoped,

    /// <summary>
    /// The wallet the request's wallet_id names. An empty wallet_id names the global scope (the
    /// global policy and freeze; every wallet's parked requests or audit records): unscoped tokens only.
    /// </summary>
    RequestWallet,

    /// <summary>The request names no wallet; the service answers with the wallets in scope only.</summary>
    ListedWallets,

    /// <summary>The wallet of the parked request the request's request_digest names.</summary>
    ParkedRequestWallet,

    /// <summary>The wallet of the audit record the request's sequence names; a record of no wallet is global.</summary>
    AuditRecordWallet,
}
