using Custody.Core.WebAuthn;

namespace Custody.Core.Policy;

/// <summary>
/// What an approver submits over a statement: a signature made with a raw key (Ed25519, P-256) over
/// the statement's bytes, or a passkey's WebAuthn assertion whose challenge is the statement's SHA-256.
/// </summary>
public sealed class ApprovalProof
{
    private readonly byte[] _signature;

    private ApprovalProof(byte[] signature, WebAuthnAssertion? passkey)
    {
        _signature = signature;
        Passkey = passkey;
    }

    /// <summary>The raw signature, or the assertion's signature.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>The assertion, when a passkey made the proof.</summary>
    public WebAuthnAssertion? Passkey { get; }

    public static ApprovalProof RawSignature(byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return new(signature, null);
    }

    public static ApprovalProof FromPasskey(WebAuthnAssertion assertion)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        return new(assertion.Signature.ToArray(), assertion);
    }
}
