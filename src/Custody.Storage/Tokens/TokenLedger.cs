using System.Data.Common;
using System.Security.Cryptography;
using Custody.Core;
using Custody.Core.Audit;
using Custody.Core.Ledger;
using Custody.Storage.Data;
using Custody.Storage.Engine;
using Custody.Storage.Writing;

namespace Custody.Storage.Tokens;

/// <summary>API tokens: created with a secret shown once (only its SHA-256 is stored), found by the secret's hash, revoked by id; each change with its record.</summary>
internal sealed class TokenLedger(Readers readers, LedgerWriter writer) : ITokenLedger
{
    private const int MaxPrincipalLength = 64;
    private const string Columns = "token_id, principal, roles, wallet_scope, created_at, revoked_at";

    public Task<ApiToken?> FindByHashAsync(byte[] hash, CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(sql => sql.First($"SELECT {Columns} FROM api_tokens WHERE token_hash = @hash", Read, ("@hash", hash))));

    public Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ApiToken>>(readers.Read(sql => sql.Query($"SELECT {Columns} FROM api_tokens ORDER BY created_at, token_id", Read)));

    public Task<(ApiToken Token, string Secret)> CreateAsync(string principal, Roles roles, WalletScope wallets, string createdBy, CancellationToken cancellationToken)
    {
        ValidatePrincipal(principal);
        ArgumentNullException.ThrowIfNull(wallets);
        ArgumentException.ThrowIfNullOrWhiteSpace(createdBy);
        if (roles == Roles.None) throw new InvalidInputException("roles", "at least one role is needed");
        var secret = TokenSecret.Generate();
        var hash = TokenSecret.TryHash(secret)!;
        var tokenId = "tok_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        return writer.CommitAsync(LockSet.None, tx =>
        {
            var token = new ApiToken(tokenId, principal, roles, wallets, DateTimeOffset.FromUnixTimeMilliseconds(Rows.Millis(tx.Now)), null);
            tx.Sql.Execute(
                "INSERT INTO api_tokens (token_id, token_hash, principal, roles, wallet_scope, created_at) VALUES (@id, @hash, @principal, @roles, @scope, @created)",
                ("@id", tokenId), ("@hash", hash), ("@principal", principal), ("@roles", RoleNames.Format(roles)), ("@scope", wallets.ToString()),
                ("@created", Rows.Millis(token.CreatedAt)));
            tx.Record(new AuditRecord
            {
                Principal = createdBy,
                Action = AuditActions.TokenCreated,
                Details = new Dictionary<string, string>
                {
                    ["token_id"] = tokenId, ["principal"] = principal, ["roles"] = RoleNames.Format(roles), ["wallets"] = wallets.ToString(),
                },
            });
            return (token, secret);
        });
    }

    public Task<bool> RevokeAsync(string tokenId, string revokedBy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenId);
        ArgumentException.ThrowIfNullOrWhiteSpace(revokedBy);
        return writer.CommitAsync(LockSet.None, tx =>
        {
            if (tx.Sql.Execute("UPDATE api_tokens SET revoked_at = @now WHERE token_id = @id AND revoked_at IS NULL",
                    ("@id", tokenId), ("@now", Rows.Millis(tx.Now))) != 1)
                return false;
            tx.Record(new AuditRecord { Principal = revokedBy, Action = AuditActions.TokenRevoked, Details = new Dictionary<string, string> { ["token_id"] = tokenId } });
            return true;
        });
    }

    private static void ValidatePrincipal(string principal)
    {
        if (string.IsNullOrWhiteSpace(principal) || principal.Length > MaxPrincipalLength ||
            !principal.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '@'))
            throw new InvalidInputException("principal", $"1 to {MaxPrincipalLength} characters of letters, digits and _ - . @");
    }

    private static ApiToken Read(DbDataReader r) => new(r.GetString(0), r.GetString(1), RoleNames.Parse(r.GetString(2)), WalletScope.Parse(r.GetString(3)),
        r.Millis(4), r.NullableInt64(5) is { } revoked ? DateTimeOffset.FromUnixTimeMilliseconds(revoked) : null);
}
