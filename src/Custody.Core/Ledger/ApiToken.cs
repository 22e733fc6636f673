namespace Custody.Core.Ledger;

/// <summary>A stored API token: who it speaks for and what it may do. The secret itself is never stored.</summary>
/// <param name="TokenId">Public id ("tok_" + 16 hex digits) for listing and revoking.</param>
/// <param name="Principal">The name the token authenticates as; audit records carry it.</param>
public sealed record ApiToken(
    string TokenId,
    string Principal,
    Roles Roles,
    WalletScope Wallets,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt)
{
    public bool IsRevoked => RevokedAt is not null;
}
