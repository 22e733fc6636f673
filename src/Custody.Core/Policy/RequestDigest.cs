using System.Text;
using System.Text.Json;
using Custody.Core.Crypto;

namespace Custody.Core.Policy;

/// <summary>
/// The identity of a signing request: SHA-256 of a canonical JSON of request id, principal,
/// wallet, chain, payload digest and, when the request names it, the signing key's path (not the
/// arrival time, so a retry of the same request maps to the same reservation and the same
/// pending approval). Lower-case hex.
/// </summary>
public static class RequestDigest
{
    public static string Compute(SigningRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("v", "custody-request-v1");
            w.WriteString("requestId", request.RequestId);
            w.WriteString("principal", request.Principal);
            w.WriteString("wallet", request.WalletId);
            w.WriteString("chain", request.Chain.Id);
            w.WriteString("payload", request.PayloadDigest.ToLowerInvariant());
            if (request.Signer is { } signer) w.WriteString("signer", signer.ToString());
            w.WriteEndObject();
        }
        return Convert.ToHexStringLower(Hashes.Sha256(buffer.ToArray()));
    }

    /// <summary>The digest approvals sign for the intent: of the canonical intent, or of the payload digest for raw signing.</summary>
    public static string Intent(SigningRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Intent is { } intent
            ? IntentJson.Digest(intent)
            : Convert.ToHexStringLower(Hashes.Sha256(Encoding.UTF8.GetBytes("raw:" + request.PayloadDigest.ToLowerInvariant())));
    }
}
