using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Custody.TestKit;

/// <summary>
/// A software WebAuthn authenticator and client for tests (written from WebAuthn Level 3 §6.1,
/// §5.8.1, §6.3.3): an ES256 credential that makes assertions the way a browser and authenticator
/// do, with every part adjustable so a test can produce exactly one wrong thing. Shared by the
/// Core and Daemon tests (linked, not copied).
/// </summary>
public sealed class SoftwarePasskey : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public SoftwarePasskey(string rpId, string origin)
    {
        RpId = rpId;
        Origin = origin;
        CredentialId = RandomNumberGenerator.GetBytes(32);
    }

    public string RpId { get; }

    public string Origin { get; }

    public byte[] CredentialId { get; }

    /// <summary>The next assertion's signature counter; each assertion increments it first, as authenticators do.</summary>
    public uint SignCount { get; set; }

    /// <summary>What getPublicKey() returns: the SubjectPublicKeyInfo (DER).</summary>
    public byte[] PublicKeySpki => _key.ExportSubjectPublicKeyInfo();

    /// <summary>authenticatorData, clientDataJSON and the DER signature for navigator.credentials.get with this challenge.</summary>
    public (byte[] AuthenticatorData, byte[] ClientDataJson, byte[] Signature) Assert(
        ReadOnlySpan<byte> challenge, string? origin = null, bool userVerified = true, bool userPresent = true,
        string type = "webauthn.get", string? rpId = null, uint? signCount = null)
    {
        var count = signCount ?? ++SignCount;
        var authenticatorData = new byte[37];
        SHA256.HashData(Encoding.UTF8.GetBytes(rpId ?? RpId), authenticatorData);
        authenticatorData[32] = (byte)((userPresent ? 0x01 : 0) | (userVerified ? 0x04 : 0));
        BinaryPrimitives.WriteUInt32BigEndian(authenticatorData.AsSpan(33), count);
        var clientDataJson = Encoding.UTF8.GetBytes(
            $$"""{"type":"{{type}}","challenge":"{{Base64Url.EncodeToString(challenge)}}","origin":"{{origin ?? Origin}}","crossOrigin":false}""");
        var signature = _key.SignData([.. authenticatorData, .. SHA256.HashData(clientDataJson)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return (authenticatorData, clientDataJson, signature);
    }

    public void Dispose() => _key.Dispose();
}
