using System.Security.Cryptography;
using Custody.Core;
using Custody.Storage.Sqlite;
using Dapper;

namespace Custody.Storage.Tokens;

/// <summary>API tokens in SQLite: created with a secret shown once, found by the secret's hash, revoked by id.</summary>
public sealed class TokenStore
{
    private const string Schema = """
        CREATE TABLE api_tokens (
            token_id      TEXT PRIMARY KEY,
            token_hash    BLOB NOT NULL UNIQUE,
            principal     TEXT NOT NULL,
            roles         TEXT NOT NULL,
            wallet_scope  TEXT NOT NULL,
            created_at    INTEGER NOT NULL,
            revoked_at    INTEGER
        );
        """;

    private const int MaxPrincipalLength = 64;

    private readonly SqliteDatabase _db;
    private readonly TimeProvider _clock;

    public TokenStore(SqliteDatabase db, TimeProvider? clock = null)
    {
        _db = db;
        _clock = clock ?? TimeProvider.System;
        using var connection = _db.Open();
        SqliteSchema.Apply(connection, "tokens", [Schema]);
    }

    /// <summary>Creates a token; the returned secret exists nowhere else, so hand it over once.</summary>
    public (ApiToken Token, string Secret) Create(string principal, Roles roles, WalletScope wallets)
    {
        ValidatePrincipal(principal);
        if (roles == Roles.None) throw new InvalidInputException("roles", "at least one role is needed");
        var secret = TokenSecret.Generate();
        var token = new ApiToken("tok_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), principal, roles, wallets,
            TruncateToMs(_clock.GetUtcNow()), null);
        using var connection = _db.Open();
        connection.Execute(
            "INSERT INTO api_tokens (token_id, token_hash, principal, roles, wallet_scope, created_at) VALUES (@id, @hash, @principal, @roles, @scope, @created)",
            new
            {
                id = token.TokenId,
                hash = TokenSecret.TryHash(secret),
                principal,
                roles = RoleNames.Format(roles),
                scope = wallets.ToString(),
                created = token.CreatedAt.ToUnixTimeMilliseconds(),
            });
        return (token, secret);
    }

    /// <summary>The token whose secret hashes to <paramref name="hash"/>, revoked or not; null when none.</summary>
    public async Task<ApiToken?> FindByHashAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var connection = _db.Open();
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT token_id, principal, roles, wallet_scope, created_at, revoked_at FROM api_tokens WHERE token_hash = @hash",
            new { hash }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToToken();
    }

    public IReadOnlyList<ApiToken> List()
    {
        using var connection = _db.Open();
        return [.. connection.Query<Row>(
            "SELECT token_id, principal, roles, wallet_scope, created_at, revoked_at FROM api_tokens ORDER BY created_at, token_id")
            .Select(r => r.ToToken())];
    }

    /// <summary>Revokes a token; false when there is no such token or it was already revoked.</summary>
    public bool Revoke(string tokenId)
    {
        using var connection = _db.Open();
        return connection.Execute(
            "UPDATE api_tokens SET revoked_at = @now WHERE token_id = @tokenId AND revoked_at IS NULL",
            new { tokenId, now = _clock.GetUtcNow().ToUnixTimeMilliseconds() }) == 1;
    }

    private static void ValidatePrincipal(string principal)
    {
        if (string.IsNullOrWhiteSpace(principal) || principal.Length > MaxPrincipalLength ||
            !principal.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '@'))
            throw new InvalidInputException("principal", $"1 to {MaxPrincipalLength} characters of letters, digits and _ - . @");
    }

    private static DateTimeOffset TruncateToMs(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());

    private sealed record Row(string token_id, string principal, string roles, string wallet_scope, long created_at, long? revoked_at)
    {
        public ApiToken ToToken() => new(token_id, principal, RoleNames.Parse(roles), WalletScope.Parse(wallet_scope),
            DateTimeOffset.FromUnixTimeMilliseconds(created_at),
            revoked_at is { } r ? DateTimeOffset.FromUnixTimeMilliseconds(r) : null);
    }
}
