using System.Security.Cryptography;
using System.Text;

namespace Custody.Core.WebAuthn;

/// <summary>
/// Who we are to passkeys: the RP ID credentials are scoped to (a domain, e.g. custody.example or
/// localhost) and the exact origins pages that ask for assertions may have. <see cref="Check"/> is
/// the assertion verification of WebAuthn Level 3 §7.2 for a credential we already hold, on the
/// BCL's ECDsa (ES256) or our Ed25519 (EdDSA); no WebAuthn library.
/// </summary>
public sealed class RelyingParty
{
    private readonly byte[] _rpIdHash;
    private readonly HashSet<string> _origins;

    public RelyingParty(string rpId, IEnumerable<string> origins)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rpId);
        ArgumentNullException.ThrowIfNull(origins);
        RpId = rpId;
        _rpIdHash = SHA256.HashData(Encoding.UTF8.GetBytes(rpId));
        _origins = new HashSet<string>(origins, StringComparer.Ordinal);
        if (_origins.Count == 0) throw new ArgumentException("at least one origin", nameof(origins));
    }

    public string RpId { get; }

    public IReadOnlyCollection<string> Origins => _origins;

    /// <summary>
    /// Why <paramref name="assertion"/> is not a valid assertion by <paramref name="credential"/> over
    /// <paramref name="challenge"/>, or null when it is. The order follows §7.2: client data (type,
    /// challenge, origin, no cross-origin embedding), then authenticator data (RP ID hash, user present,
    /// user verified), then the signature. The signature counter is the caller's to compare with what it stored.
    /// </summary>
    public string? Check(WebAuthnAssertion assertion, PasskeyCredential credential, ReadOnlySpan<byte> challenge, bool requireUserVerification = true)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        ArgumentNullException.ThrowIfNull(credential);
        var client = assertion.Client;
        if (client.Type != "webauthn.get") return $"clientDataJSON type is '{client.Type}', not 'webauthn.get'";
        if (!CryptographicOperations.FixedTimeEquals(client.Challenge, challenge))
            return "the assertion's challenge is not this statement's SHA-256: it was made for another request, verdict, policy version or expiry";
        if (!_origins.Contains(client.Origin)) return $"origin '{client.Origin}' is not one of the configured passkey origins";
        if (client.CrossOrigin || client.TopOrigin is not null) return "the assertion was made in a cross-origin frame";
        var data = assertion.Authenticator;
        if (!CryptographicOperations.FixedTimeEquals(data.RpIdHash, _rpIdHash)) return $"the credential is scoped to another RP ID than '{RpId}'";
        if (!data.UserPresent) return "the authenticator did not report user presence (UP flag)";
        if (requireUserVerification && !data.UserVerified) return "the authenticator did not verify the user (UV flag): a PIN or biometric is required";
        if (!credential.VerifySignature(assertion)) return "the signature does not verify with the registered passkey";
        return null;
    }
}
