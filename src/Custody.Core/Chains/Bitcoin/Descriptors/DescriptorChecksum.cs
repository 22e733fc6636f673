namespace Custody.Core.Chains.Bitcoin.Descriptors;

/// <summary>
/// The BIP380 descriptor checksum: a BCH code over the descriptor's characters, eight
/// characters after '#'. Characters outside the BIP380 input set have no checksum symbol
/// and make the descriptor invalid.
/// </summary>
public static class DescriptorChecksum
{
    private const string InputCharset = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
    private const string ChecksumCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    public const int Length = 8;

    private static ulong PolyMod(ulong c, int value)
    {
        var top = c >> 35;
        c = ((c & 0x7ffffffffUL) << 5) ^ (ulong)value;
        if ((top & 1) != 0) c ^= 0xf5dee51989UL;
        if ((top & 2) != 0) c ^= 0xa9fdca3312UL;
        if ((top & 4) != 0) c ^= 0x1bab10e32dUL;
        if ((top & 8) != 0) c ^= 0x3706b1677aUL;
        if ((top & 16) != 0) c ^= 0x644d626ffdUL;
        return c;
    }

    /// <summary>The eight checksum characters of <paramref name="descriptor"/> (without '#'), or refused naming the first character outside the BIP380 set.</summary>
    public static string Compute(string descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ulong c = 1;
        int classes = 0, count = 0;
        for (var i = 0; i < descriptor.Length; i++)
        {
            var position = InputCharset.IndexOf(descriptor[i], StringComparison.Ordinal);
            if (position < 0)
                throw new InvalidInputException("descriptor", $"character {i + 1} ('{Printable(descriptor[i])}') is not allowed in a descriptor (BIP380 character set)");
            c = PolyMod(c, position & 31);
            classes = classes * 3 + (position >> 5);
            if (++count == 3)
            {
                c = PolyMod(c, classes);
                classes = 0;
                count = 0;
            }
        }
        if (count > 0) c = PolyMod(c, classes);
        for (var j = 0; j < Length; j++) c = PolyMod(c, 0);
        c ^= 1;
        var result = new char[Length];
        for (var j = 0; j < Length; j++) result[j] = ChecksumCharset[(int)((c >> (5 * (7 - j))) & 31)];
        return new string(result);
    }

    /// <summary>
    /// Splits "SCRIPT#CHECKSUM" and verifies the checksum; a descriptor without '#' has none
    /// (<paramref name="hadChecksum"/> false). A '#' with anything but the right eight characters is refused.
    /// </summary>
    public static string Strip(string text, out bool hadChecksum)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        hadChecksum = hash >= 0;
        if (!hadChecksum)
        {
            Compute(text); // the character set applies with or without a checksum
            return text;
        }
        var body = text[..hash];
        var given = text[(hash + 1)..];
        if (given.Length != Length)
            throw new InvalidInputException("descriptor", $"checksum after '#' is {given.Length} characters; BIP380 checksums are {Length}");
        var expected = Compute(body);
        if (!string.Equals(given, expected, StringComparison.Ordinal))
            throw new InvalidInputException("descriptor", $"checksum '{given}' does not match; the descriptor or its checksum was mistyped");
        return body;
    }

    private static string Printable(char c) => char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString();
}
