namespace Custody.Core.Hd.Slip39;

/// <summary>
/// The RS1024 checksum of SLIP-39: a Reed-Solomon code over GF(1024) that appends
/// three 10-bit words and detects any error in up to three words. The
/// customization string separates plain shares ("shamir") from extendable ones
/// ("shamir_extendable"), so a share cannot be read under the wrong flag.
/// </summary>
public static class Rs1024
{
    public const int ChecksumWords = 3;
    public const string Customization = "shamir";
    public const string ExtendableCustomization = "shamir_extendable";

    private static readonly uint[] Generator =
    [
        0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009,
        0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120,
    ];

    public static string CustomizationFor(bool extendable) => extendable ? ExtendableCustomization : Customization;

    /// <summary>True when <paramref name="words"/> (data followed by the checksum) verifies.</summary>
    public static bool Verify(string customization, ReadOnlySpan<int> words) => Polymod(customization, words, 0) == 1;

    /// <summary>Writes the three checksum words for <paramref name="data"/> into <paramref name="checksum"/>.</summary>
    public static void Create(string customization, ReadOnlySpan<int> data, Span<int> checksum)
    {
        if (checksum.Length != ChecksumWords)
            throw new ArgumentException($"the checksum is {ChecksumWords} words", nameof(checksum));
        var polymod = Polymod(customization, data, ChecksumWords) ^ 1;
        for (var i = 0; i < ChecksumWords; i++)
            checksum[i] = (int)((polymod >> (10 * (ChecksumWords - 1 - i))) & 1023);
    }

    private static uint Polymod(string customization, ReadOnlySpan<int> words, int trailingZeros)
    {
        uint chk = 1;
        foreach (var c in customization)
            chk = Step(chk, c);
        foreach (var w in words)
            chk = Step(chk, w);
        for (var i = 0; i < trailingZeros; i++)
            chk = Step(chk, 0);
        return chk;
    }

    private static uint Step(uint chk, int value)
    {
        var top = chk >> 20;
        chk = ((chk & 0xFFFFF) << 10) ^ (uint)value;
        for (var i = 0; i < 10; i++)
        {
            if (((top >> i) & 1) != 0)
                chk ^= Generator[i];
        }
        return chk;
    }
}
