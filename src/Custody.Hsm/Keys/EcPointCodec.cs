namespace Custody.Hsm.Keys;

/// <summary>
/// Reads CKA_EC_POINT. PKCS#11 says it is a DER OCTET STRING around the point (SoftHSM does that:
/// 04 41 ‖ 65-byte SEC1 point, 04 20 ‖ 32-byte Ed25519 key); some modules return the bare point,
/// so both are accepted, told apart by length.
/// </summary>
internal static class EcPointCodec
{
    /// <summary>The 33-byte compressed secp256k1 public key from CKA_EC_POINT.</summary>
    public static byte[] Secp256k1PublicKey(ReadOnlySpan<byte> ecPoint)
    {
        var point = ecPoint.Length switch
        {
            67 when ecPoint[0] == 0x04 && ecPoint[1] == 65 => ecPoint[2..],
            65 => ecPoint,
            _ => throw new FormatException($"CKA_EC_POINT of {ecPoint.Length} bytes is not a secp256k1 point"),
        };
        return Secp256k1Math.Compress(point);
    }

    /// <summary>The 32-byte Ed25519 public key from CKA_EC_POINT.</summary>
    public static byte[] Ed25519PublicKey(ReadOnlySpan<byte> ecPoint) => ecPoint.Length switch
    {
        34 when ecPoint[0] == 0x04 && ecPoint[1] == 32 => ecPoint[2..].ToArray(),
        32 => ecPoint.ToArray(),
        _ => throw new FormatException($"CKA_EC_POINT of {ecPoint.Length} bytes is not an Ed25519 key"),
    };
}
