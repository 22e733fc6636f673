using System.Numerics;

namespace Custody.Hsm.Keys;

/// <summary>
/// The little secp256k1 arithmetic the HSM layer needs to turn what PKCS#11 returns into the shapes
/// the rest of Custody uses: a compressed public key and a low-S signature (BIP62/BIP146, EIP-2).
/// </summary>
internal static class Secp256k1Math
{
    /// <summary>The field prime p = 2^256 - 2^32 - 977.</summary>
    public static readonly BigInteger P = Parse("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");

    /// <summary>The group order n.</summary>
    public static readonly BigInteger N = Parse("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

    private static readonly BigInteger HalfN = N >> 1;

    /// <summary>Compresses a 65-byte SEC1 point (04 ‖ X ‖ Y) after checking that it lies on the curve.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> uncompressed65)
    {
        if (uncompressed65.Length != 65 || uncompressed65[0] != 0x04)
            throw new FormatException("not an uncompressed SEC1 point");
        var x = Unsigned(uncompressed65.Slice(1, 32));
        var y = Unsigned(uncompressed65.Slice(33, 32));
        if (x >= P || y >= P || (y * y - (x * x * x + 7)) % P != 0)
            throw new FormatException("the point is not on secp256k1");
        var compressed = new byte[33];
        compressed[0] = (byte)(y.IsEven ? 0x02 : 0x03);
        uncompressed65.Slice(1, 32).CopyTo(compressed.AsSpan(1));
        return compressed;
    }

    /// <summary>
    /// Returns r ‖ s with s replaced by n - s when s &gt; n/2. Both signatures are valid ECDSA;
    /// Bitcoin relay and Ethereum accept only the low one.
    /// </summary>
    public static byte[] NormalizeLowS(ReadOnlySpan<byte> rs64)
    {
        if (rs64.Length != 64)
            throw new FormatException($"an r ‖ s signature is 64 bytes, got {rs64.Length}");
        var r = Unsigned(rs64[..32]);
        var s = Unsigned(rs64[32..]);
        if (r.IsZero || r >= N || s.IsZero || s >= N)
            throw new FormatException("r or s is outside [1, n-1]");
        var result = rs64.ToArray();
        if (s <= HalfN) return result;
        var lowS = N - s;
        var field = result.AsSpan(32, 32);
        field.Clear();
        lowS.TryWriteBytes(field[(32 - lowS.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
        return result;
    }

    private static BigInteger Unsigned(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    private static BigInteger Parse(string hex) => Unsigned(Convert.FromHexString(hex));
}
