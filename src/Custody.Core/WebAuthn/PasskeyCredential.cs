using System.Security.Cryptography;
using Custody.Core.Crypto;

namespace Custody.Core.WebAuthn;

/// <summary>The COSE algorithms we accept for passkeys: ES256 (-7) and EdDSA with Ed25519 (-8).</summary>
public enum PasskeyAlgorithm
{
    Es256 = -7,
    EdDsa = -8,
}

/// <summary>A registered WebAuthn credential: its id and public key (P-256 point or Ed25519 key).</summary>
public sealed class PasskeyCredential
{
    /// <summary>WebAuthn Level 3 §5.1: a credential id is at most 1023 bytes.</summary>
    public const int MaxCredentialIdLength = 1023;

    private readonly byte[] _credentialId;
    private readonly byte[] _publicKey;

    public PasskeyCredential(PasskeyAlgorithm algorithm, ReadOnlySpan<byte> credentialId, ReadOnlySpan<byte> publicKey)
    {
        if (credentialId.Length is 0 or > MaxCredentialIdLength)
            throw new InvalidInputException("credential_id", $"{credentialId.Length} bytes: a credential id is 1 to {MaxCredentialIdLength}");
        if (algorithm == PasskeyAlgorithm.Es256 && (publicKey.Length != 65 || publicKey[0] != 0x04))
            throw new InvalidInputException("public_key", "an ES256 passkey key is the 65-byte uncompressed P-256 point");
        if (algorithm == PasskeyAlgorithm.EdDsa && publicKey.Length != Ed25519.KeySize)
            throw new InvalidInputException("public_key", "an EdDSA passkey key is the 32-byte Ed25519 key");
        Algorithm = algorithm;
        _credentialId = credentialId.ToArray();
        _publicKey = publicKey.ToArray();
    }

    public PasskeyAlgorithm Algorithm { get; }

    public ReadOnlySpan<byte> CredentialId => _credentialId;

    /// <summary>Verifies the signature over authenticatorData ‖ SHA-256(clientDataJSON) (§6.3.3 step 11).</summary>
    public bool VerifySignature(WebAuthnAssertion assertion)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var signed = new byte[assertion.AuthenticatorDataBytes.Length + 32];
        assertion.AuthenticatorDataBytes.CopyTo(signed);
        SHA256.HashData(assertion.ClientDataJson, signed.AsSpan(assertion.AuthenticatorDataBytes.Length));
        if (Algorithm == PasskeyAlgorithm.EdDsa)
            return assertion.Signature.Length == 64 && Ed25519.Verify(_publicKey, signed, assertion.Signature);
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = _publicKey[1..33], Y = _publicKey[33..65] },
        });
        try
        {
            // WebAuthn ES256 signatures are ASN.1 DER (§6.5.5), never r‖s.
            return ecdsa.VerifyData(signed, assertion.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
