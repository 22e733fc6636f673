namespace Custody.Core.WebAuthn;

/// <summary>
/// What navigator.credentials.get returns for a passkey (an AuthenticatorAssertionResponse):
/// authenticatorData, clientDataJSON and the signature over authenticatorData ‖ SHA-256(clientDataJSON).
/// Parsing checks the structure only; <see cref="RelyingParty.Check"/> decides whether it verifies.
/// </summary>
public sealed class WebAuthnAssertion
{
    /// <summary>A DER ECDSA P-256 signature is at most 72 bytes, an Ed25519 one 64.</summary>
    public const int MaxSignatureLength = 72;

    private readonly byte[] _authenticatorData;
    private readonly byte[] _clientDataJson;
    private readonly byte[] _signature;

    private WebAuthnAssertion(byte[] authenticatorData, byte[] clientDataJson, byte[] signature)
    {
        _authenticatorData = authenticatorData;
        _clientDataJson = clientDataJson;
        _signature = signature;
        Authenticator = WebAuthn.AuthenticatorData.Parse(authenticatorData);
        Client = CollectedClientData.Parse(clientDataJson);
    }

    public ReadOnlySpan<byte> AuthenticatorDataBytes => _authenticatorData;

    public ReadOnlySpan<byte> ClientDataJson => _clientDataJson;

    public ReadOnlySpan<byte> Signature => _signature;

    public AuthenticatorData Authenticator { get; }

    public CollectedClientData Client { get; }

    /// <summary>Reads the three parts; bad input is <see cref="InvalidInputException"/> naming the field (passkey.*).</summary>
    public static WebAuthnAssertion Parse(ReadOnlySpan<byte> authenticatorData, ReadOnlySpan<byte> clientDataJson, ReadOnlySpan<byte> signature)
    {
        if (signature.Length == 0 || signature.Length > MaxSignatureLength)
            throw new InvalidInputException("passkey.signature", $"{signature.Length} bytes: an ES256 (DER) or EdDSA signature is 1 to {MaxSignatureLength}");
        return new WebAuthnAssertion(authenticatorData.ToArray(), clientDataJson.ToArray(), signature.ToArray());
    }
}
