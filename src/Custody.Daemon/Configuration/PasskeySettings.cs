using Custody.Core.WebAuthn;

namespace Custody.Daemon.Configuration;

/// <summary>
/// Configuration section "Passkeys": the WebAuthn relying party approvers' passkeys are verified for.
/// Both keys or neither; without them no passkey approval counts (raw-key approvals are unaffected).
/// </summary>
public sealed class PasskeySettings
{
    /// <summary>The RP ID credentials are scoped to: a host name (custody.example, localhost), no scheme or port.</summary>
    public string? RpId { get; set; }

    /// <summary>The exact origins (scheme://host[:port], comma-separated) whose pages may ask for assertions; each host is RpId or below it.</summary>
    public string? Origins { get; set; }

    /// <summary>The relying party, or null when passkeys are not configured; a problem is a <see cref="StartupException"/> naming the key.</summary>
    public RelyingParty? RelyingParty()
    {
        bool Set(string? value) => !string.IsNullOrWhiteSpace(value);
        if (!Set(RpId) && !Set(Origins)) return null;
        if (!Set(RpId) || !Set(Origins))
            throw new StartupException($"Passkeys:{(Set(RpId) ? "Origins" : "RpId")}: passkeys need both Passkeys:RpId and Passkeys:Origins");
        var rpId = RpId!.Trim().ToLowerInvariant();
        if (Uri.CheckHostName(rpId) != UriHostNameType.Dns)
            throw new StartupException($"Passkeys:RpId: '{RpId}' is not a host name (no scheme, port or path: custody.example, localhost)");
        var origins = new List<string>();
        foreach (var text in Origins!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || uri.PathAndQuery != "/" || text.EndsWith('/'))
                throw new StartupException($"Passkeys:Origins: '{text}' is not an origin (scheme://host[:port], nothing after it)");
            if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
                throw new StartupException($"Passkeys:Origins: '{text}': browsers offer passkeys over plain http only on loopback");
            var host = uri.IdnHost.ToLowerInvariant();
            if (host != rpId && !host.EndsWith("." + rpId, StringComparison.Ordinal))
                throw new StartupException($"Passkeys:Origins: '{text}' is not on the RP ID '{rpId}' or below it");
            origins.Add(text);
        }
        if (origins.Count == 0) throw new StartupException("Passkeys:Origins: no origin");
        return new RelyingParty(rpId, origins);
    }
}
