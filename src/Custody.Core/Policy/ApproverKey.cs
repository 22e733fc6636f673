using System.Security.Cryptography;
using Custody.Core.Crypto;
using Custody.Core.WebAuthn;

namespace Custody.Core.Policy;

/// <summary>An approver's registered public key (a raw key or a passkey), validated when it is created.</summary>
public sealed class ApproverKey
{
    // SubjectPublicKeyInfo of an Ed25519 key (RFC 8410): what a browser's getPublicKey() gives for EdDSA.
    private static readonly byte[] Ed25519SpkiPrefix = Convert.FromHexString("302a300506032b6570032100");

    private readonly byte[] _publicKey;

    private ApproverKey(string approverId, ApproverKeyAlgorithm algorithm, byte[] publicKey, PasskeyCredential? passkey = null)
    {
        ApproverId = approverId;
        Algorithm = algorithm;
        _publicKey = publicKey;
        Passkey = passkey;
        Fingerprint = Convert.ToHexStringLower(Hashes.Sha256(publicKey))[..32];
    }

    /// <summary>The WebAuthn credential, for the passkey algorithms; null for a raw key.</summary>
    public PasskeyCredential? Passkey { get; }

    public string ApproverId { get; }
    public ApproverKeyAlgorithm Algorithm { get; }

    /// <summary>Ed25519: the 32 bytes; P-256: the 65-byte uncompressed point (0x04 ‖ X ‖ Y).</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>First 16 bytes of SHA-256 of the public key, hex: how logs and the audit name the key.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// Validates and stores a key. P-256 accepts the uncompressed point or a SubjectPublicKeyInfo (DER);
    /// a point not on the curve is refused. Ed25519 takes the 32 bytes (a passkey's also its
    /// SubjectPublicKeyInfo, what a browser's getPublicKey() returns). A passkey needs its credential id.
    /// </summary>
    public static ApproverKey Create(string approverId, ApproverKeyAlgorithm algorithm, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> credentialId = default)
    {
        if (string.IsNullOrWhiteSpace(approverId) || approverId.Length > 200)
            throw new InvalidInputException("approver", "an approver id is 1 to 200 characters");
        if (algorithm is ApproverKeyAlgorithm.Ed25519 or ApproverKeyAlgorithm.P256 && !credentialId.IsEmpty)
            throw new InvalidInputException("credential_id", "only a passkey has a credential id");
        switch (algorithm)
        {
            case ApproverKeyAlgorithm.Ed25519:
                return new ApproverKey(approverId, algorithm, Ed25519Key(publicKey, spki: false));
            case ApproverKeyAlgorithm.P256:
                return new ApproverKey(approverId, algorithm, P256Point(publicKey));
            case ApproverKeyAlgorithm.PasskeyEs256:
                var point = P256Point(publicKey);
                return new ApproverKey(approverId, algorithm, point, new PasskeyCredential(PasskeyAlgorithm.Es256, credentialId, point));
            case ApproverKeyAlgorithm.PasskeyEdDsa:
                var key = Ed25519Key(publicKey, spki: true);
                return new ApproverKey(approverId, algorithm, key, new PasskeyCredential(PasskeyAlgorithm.EdDsa, credentialId, key));
            default:
                throw new InvalidInputException("algorithm", "unknown key algorithm");
        }
    }

    /// <summary>
    /// Why <paramref name="proof"/> does not approve (or reject) <paramref name="statement"/> with this key,
    /// or null when it does. A passkey's assertion must carry SHA-256 of the statement as its challenge and
    /// pass <paramref name="passkeys"/>' checks; with no relying party configured no passkey proof counts.
    /// The signature counter is not compared here: the ledger holds the last one seen.
    /// </summary>
    public string? Check(ReadOnlySpan<byte> statement, ApprovalProof proof, RelyingParty? passkeys)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (Passkey is null)
        {
            if (proof.Passkey is not null) return $"'{ApproverId}' has a registered {Algorithm} key, not a passkey: submit a signature over the statement";
            return Verify(statement, proof.Signature) ? null : "the signature does not verify over the approval statement with the approver's registered key";
        }
        if (proof.Passkey is not { } assertion) return $"'{ApproverId}' has a registered passkey: submit its WebAuthn assertion";
        if (passkeys is null) return "passkey approvals are off: the daemon has no Passkeys:RpId and Passkeys:Origins configured";
        return passkeys.Check(assertion, Passkey, SHA256.HashData(statement));
    }

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (Passkey is not null) return false; // a passkey signs assertions, never the statement itself
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

    private static byte[] Ed25519Key(ReadOnlySpan<byte> key, bool spki)
    {
        if (key.Length == Ed25519.KeySize) return key.ToArray();
        if (spki && key.Length == Ed25519SpkiPrefix.Length + Ed25519.KeySize && key.StartsWith(Ed25519SpkiPrefix))
            return key[Ed25519SpkiPrefix.Length..].ToArray();
        throw new InvalidInputException("public_key", spki
            ? $"an Ed25519 public key is 32 bytes or its SubjectPublicKeyInfo, not {key.Length} bytes"
            : $"an Ed25519 public key is 32 bytes, not {key.Length}");
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
