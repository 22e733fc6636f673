using System.Security.Cryptography;
using Custody.Core.Crypto;

namespace Custody.Core.Policy;

/// <summary>An approver's registered public key, validated when it is created.</summary>
public sealed class ApproverKey
{
    private readonly byte[] _publicKey;

    private ApproverKey(string approverId, ApproverKeyAlgorithm algorithm, byte[] publicKey)
    {
        ApproverId = approverId;
        Algorithm = algorithm;
        _publicKey = publicKey;
        Fingerprint = Convert.ToHexStringLower(Hashes.Sha256(publicKey))[..32];
    }

    public string ApproverId { get; }
    public ApproverKeyAlgorithm Algorithm { get; }

    /// <summary>Ed25519: the 32 bytes; P-256: the 65-byte uncompressed point (0x04 ‖ X ‖ Y).</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>First 16 bytes of SHA-256 of the public key, hex: how logs and the audit name the key.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// Validates and stores a key. P-256 accepts the uncompressed point or a SubjectPublicKeyInfo (DER);
    /// a point not on the curve is refused.
    /// </summary>
    public static ApproverKey Create(string approverId, ApproverKeyAlgorithm algorithm, ReadOnlySpan<byte> publicKey)
    {
        if (string.IsNullOrWhiteSpace(approverId) || approverId.Length > 200)
            throw new InvalidInputException("approver", "an approver id is 1 to 200 characters");
        return algorithm switch
        {
            ApproverKeyAlgorithm.Ed25519 => publicKey.Length == Ed25519.KeySize
                ? new ApproverKey(approverId, algorithm, publicKey.ToArray())
                : throw new InvalidInputException("public_key", $"an Ed25519 public key is 32 bytes, not {publicKey.Length}"),
            ApproverKeyAlgorithm.P256 => new ApproverKey(approverId, algorithm, P256Point(publicKey)),
            _ => throw new InvalidInputException("algorithm", "unknown key algorithm"),
        };
    }

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (Algorithm == ApproverKeyAlgorithm.Ed25519) return Ed25519.Verify(_publicKey, message, signature);
        using var ecdsa = ECDsa.Create(P256Parameters(_publicKey));
        var format = signature.Length == 64 ? DSASignatureFormat.IeeeP1363FixedFieldConcatenation : DSASignatureFormat.Rfc3279DerSequence;
        try
        {
            return ecdsa.VerifyData(message, signature, HashAlgorithmName.SHA256, format);
        }
        catch (CryptographicException)
        {
            return false; // a malformed DER signature is simply not a valid one
        }
    }

    private static byte[] P256Point(ReadOnlySpan<byte> key)
    {
        byte[] point;
        if (key.Length == 65 && key[0] == 0x04)
        {
            point = key.ToArray();
        }
        else
        {
            try
            {
                using var imported = ECDsa.Create();
                imported.ImportSubjectPublicKeyInfo(key, out var read);
                var p = imported.ExportParameters(false);
                if (read != key.Length || p.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                    throw new InvalidInputException("public_key", "not a P-256 SubjectPublicKeyInfo");
                point = [0x04, .. p.Q.X!, .. p.Q.Y!];
            }
            catch (CryptographicException)
            {
                throw new InvalidInputException("public_key", "a P-256 key is a 65-byte uncompressed point or a SubjectPublicKeyInfo");
            }
        }
        try
        {
            using var check = ECDsa.Create(P256Parameters(point));
        }
        catch (CryptographicException)
        {
            throw new InvalidInputException("public_key", "the point is not on the P-256 curve");
        }
        return point;
    }

    private static ECParameters P256Parameters(byte[] point) => new()
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = point[1..33], Y = point[33..65] },
    };
}
