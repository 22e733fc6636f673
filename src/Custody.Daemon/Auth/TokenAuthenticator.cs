using System.Collections.Concurrent;
using Custody.Daemon.Configuration;
using Custody.Daemon.Errors;
using Custody.Core.Ledger;
using Microsoft.Extensions.Options;

namespace Custody.Daemon.Auth;

/// <summary>
/// Bearer token → stored token, through a short cache so a busy client costs one ledger
/// lookup per cache period, not one per call. Only known tokens are cached (unknown ones
/// would let a caller fill memory); a revocation takes effect within the cache period.
/// </summary>
public sealed class TokenAuthenticator(ILedger ledger, IOptions<DaemonOptions> options, TimeProvider clock)
{
    private const int MaxCachedTokens = 10_000;
    private readonly ConcurrentDictionary<string, (ApiToken Token, long ExpiresAt)> _cache = new(StringComparer.Ordinal);
    private readonly long _ttlTicks = (long)(options.Value.TokenCacheSeconds * clock.TimestampFrequency);

    public async ValueTask<ApiToken> AuthenticateAsync(string? authorizationHeader, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(authorizationHeader))
            throw ApiException.Unauthenticated("missing authorization header (Bearer token)");
        const string scheme = "Bearer ";
        if (!authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            throw ApiException.Unauthenticated("authorization must be a Bearer token");
        var hash = TokenSecret.TryHash(authorizationHeader.AsSpan(scheme.Length).Trim())
            ?? throw ApiException.Unauthenticated("malformed token");
        var key = Convert.ToBase64String(hash);
        var now = clock.GetTimestamp();
        if (_ttlTicks > 0 && _cache.TryGetValue(key, out var hit) && hit.ExpiresAt > now)
            return Usable(hit.Token);

        var token = await ledger.Tokens.FindByHashAsync(hash, cancellationToken).ConfigureAwait(false)
            ?? throw ApiException.Unauthenticated("unknown token");
        if (_ttlTicks > 0)
        {
            if (_cache.Count >= MaxCachedTokens) _cache.Clear();
            _cache[key] = (token, now + _ttlTicks);
        }
        return Usable(token);
    }

    private static ApiToken Usable(ApiToken token) =>
        token.IsRevoked ? throw ApiException.Unauthenticated("token revoked") : token;
}
