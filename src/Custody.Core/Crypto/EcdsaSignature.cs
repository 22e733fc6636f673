namespace Custody.Core.Crypto;

/// <summary>
/// A secp256k1 ECDSA signature (r, s) with low S, plus the recovery id that lets
/// Ethereum-style chains recover the public key. Whoever produced the signature
/// (in process or in the HSM), Secp256k1 normalises it into this one shape.
/// </summary>
public sealed class EcdsaSignature
{
    private readonly byte[] _compact; // r ‖ s, 32 bytes each

    public EcdsaSignature(ReadOnlySpan<byte> compact64, int recoveryId)
    {
        if (compact64.Length != 64)
            throw new ArgumentException("a compact signature is 64 bytes (r ‖ s)", nameof(compact64));
        ArgumentOutOfRangeException.ThrowIfNegative(recoveryId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(recoveryId, 3);
        _compact = compact64.ToArray();
        RecoveryId = recoveryId;
    }

    public ReadOnlySpan<byte> R => _compact.AsSpan(0, 32);

    public ReadOnlySpan<byte> S => _compact.AsSpan(32, 32);

    /// <summary>0 or 1 in practice (2 and 3 only when r overflowed the order, ~2^-127).</summary>
    public int RecoveryId { get; }

    /// <summary>r ‖ s, 64 bytes.</summary>
    public byte[] ToCompact() => (byte[])_compact.Clone();

    /// <summary>Strict DER (BIP66), as Bitcoin scripts carry it (without the sighash byte).</summary>
    public byte[] ToDer()
    {
        var r = DerInteger(R);
        var s = DerInteger(S);
        var der = new byte[6 + r.Length + s.Length];
        der[0] = 0x30;
        der[1] = (byte)(4 + r.Length + s.Length);
        der[2] = 0x02;
        der[3] = (byte)r.Length;
        r.CopyTo(der, 4);
        der[4 + r.Length] = 0x02;
        der[5 + r.Length] = (byte)s.Length;
        s.CopyTo(der, 6 + r.Length);
        return der;
    }

    private static byte[] DerInteger(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0) start++;
        var trimmed = value[start..];
        if ((trimmed[0] & 0x80) == 0) return trimmed.ToArray();
        var padded = new byte[trimmed.Length + 1];
        trimmed.CopyTo(padded.AsSpan(1));
        return padded;
    }

    /// <summary>Parses a strict-DER signature (BIP66); no recovery id is known, so it is 0.</summary>
    public static EcdsaSignature FromDer(ReadOnlySpan<byte> der)
    {
        static InvalidInputException Bad(string why) => new("signature", why);
        if (der.Length < 8 || der.Length > 72) throw Bad("DER signature length out of range");
        if (der[0] != 0x30 || der[1] != der.Length - 2) throw Bad("not a DER sequence of the stated length");
        var rLen = der[3];
        if (der[2] != 0x02 || rLen == 0 || 5 + rLen >= der.Length) throw Bad("bad DER integer r");
        var sLen = der[5 + rLen];
        if (der[4 + rLen] != 0x02 || sLen == 0 || 6 + rLen + sLen != der.Length) throw Bad("bad DER integer s");
        var compact = new byte[64];
        CopyInteger(der.Slice(4, rLen), compact.AsSpan(0, 32), Bad);
        CopyInteger(der.Slice(6 + rLen, sLen), compact.AsSpan(32, 32), Bad);
        return new EcdsaSignature(compact, 0);
    }

    private static void CopyInteger(ReadOnlySpan<byte> integer, Span<byte> target, Func<string, InvalidInputException> bad)
    {
        if ((integer[0] & 0x80) != 0) throw bad("negative DER integer");
        if (integer.Length > 1 && integer[0] == 0 && (integer[1] & 0x80) == 0) throw bad("DER integer not minimally encoded");
        if (integer[0] == 0) integer = integer[1..];
        if (integer.Length > 32) throw bad("DER integer longer than 32 bytes");
        integer.CopyTo(target[(32 - integer.Length)..]);
    }

    public override string ToString() => $"EcdsaSignature({Convert.ToHexString(_compact).ToLowerInvariant()}, v={RecoveryId})";
}
