namespace Custody.Core.Hd.Slip39;

/// <summary>
/// Arithmetic in GF(2^8) with the Rijndael polynomial x^8 + x^4 + x^3 + x + 1, the
/// field SLIP-39 shares live in. Multiplication is written without tables or
/// branches on its operands, because share bytes are secret: a log/exp table
/// lookup indexed by a secret byte would leak it through the cache.
/// </summary>
internal static class Gf256
{
    private const int Reduction = 0x11B;

    public static byte Add(byte a, byte b) => (byte)(a ^ b);

    public static byte Multiply(byte a, byte b)
    {
        int x = a, y = b, product = 0;
        for (var i = 0; i < 8; i++)
        {
            product ^= -(y & 1) & x;
            y >>= 1;
            x = (x << 1) ^ (-(x >> 7) & Reduction);
        }
        return (byte)product;
    }

    /// <summary>The multiplicative inverse, a^254; zero has none.</summary>
    public static byte Inverse(byte a)
    {
        if (a == 0) throw new DivideByZeroException("zero has no inverse in GF(256)");
        // a^254 = a^(2+4+8+16+32+64+128) by square-and-multiply.
        byte result = 1, square = a;
        for (var bit = 1; bit < 8; bit++)
        {
            square = Multiply(square, square);
            result = Multiply(result, square);
        }
        return result;
    }

    public static byte Divide(byte a, byte b) => Multiply(a, Inverse(b));
}
