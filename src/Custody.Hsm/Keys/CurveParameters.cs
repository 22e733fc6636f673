using Custody.Core.Chains;
using Net.Pkcs11Interop.Common;

namespace Custody.Hsm.Keys;

/// <summary>
/// What PKCS#11 needs to know per curve. Pkcs11Interop 5.3 predates PKCS#11 3.0's Edwards constants,
/// so those are raw numbers from the 3.0 specification.
/// </summary>
internal sealed class CurveParameters
{
    private const ulong CkkEcEdwards = 0x40;
    private const ulong CkmEcEdwardsKeyPairGen = 0x1055;
    private const ulong CkmEddsa = 0x1057;

    /// <summary>DER OID 1.3.132.0.10 (secp256k1).</summary>
    private static readonly byte[] Secp256k1Oid = [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x0A];

    /// <summary>DER OID 1.3.101.112 (id-Ed25519, RFC 8410).</summary>
    private static readonly byte[] Ed25519Oid = [0x06, 0x03, 0x2B, 0x65, 0x70];

    /// <summary>The PKCS#11 3.0 alternative for Edwards parameters: PrintableString "edwards25519".</summary>
    private static readonly byte[] Ed25519Name = [0x13, 0x0C, .. "edwards25519"u8];

    public static readonly CurveParameters Secp256k1 = new(KeyCurve.Secp256k1, (ulong)CKK.CKK_EC, Secp256k1Oid,
        (ulong)CKM.CKM_EC_KEY_PAIR_GEN, (ulong)CKM.CKM_ECDSA, EcPointCodec.Secp256k1PublicKey);

    public static readonly CurveParameters Ed25519 = new(KeyCurve.Ed25519, CkkEcEdwards, Ed25519Oid,
        CkmEcEdwardsKeyPairGen, CkmEddsa, EcPointCodec.Ed25519PublicKey);

    private CurveParameters(KeyCurve curve, ulong keyType, byte[] ecParams, ulong generateMechanism, ulong signMechanism,
        PublicKeyDecoder decodePublicKey)
    {
        Curve = curve;
        KeyType = keyType;
        EcParams = ecParams;
        GenerateMechanism = generateMechanism;
        SignMechanism = signMechanism;
        DecodePublicKey = decodePublicKey;
    }

    public delegate byte[] PublicKeyDecoder(ReadOnlySpan<byte> ecPoint);

    public KeyCurve Curve { get; }

    public ulong KeyType { get; }

    public byte[] EcParams { get; }

    public ulong GenerateMechanism { get; }

    public ulong SignMechanism { get; }

    public PublicKeyDecoder DecodePublicKey { get; }

    public static CurveParameters Of(KeyCurve curve) => curve switch
    {
        KeyCurve.Secp256k1 => Secp256k1,
        KeyCurve.Ed25519 => Ed25519,
        _ => throw new ArgumentOutOfRangeException(nameof(curve), curve, "unknown curve"),
    };

    /// <summary>The curve of a key object, or null when it is none we handle.</summary>
    public static CurveParameters? Recognise(ulong keyType, ReadOnlySpan<byte> ecParams)
    {
        if (keyType == Secp256k1.KeyType && ecParams.SequenceEqual(Secp256k1Oid)) return Secp256k1;
        if (keyType == Ed25519.KeyType && (ecParams.SequenceEqual(Ed25519Oid) || ecParams.SequenceEqual(Ed25519Name))) return Ed25519;
        return null;
    }
}
