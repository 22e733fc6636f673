using Custody.Core.Wire;

namespace Custody.Core.Tests.Wire;

public class CompactU16Tests
{
    // The table of solana-sdk short_vec tests.
    [Theory]
    [InlineData(0x0, "00")]
    [InlineData(0x7f, "7f")]
    [InlineData(0x80, "8001")]
    [InlineData(0xff, "ff01")]
    [InlineData(0x100, "8002")]
    [InlineData(0x7fff, "ffff01")]
    [InlineData(0xffff, "ffff03")]
    public void Encodes_and_decodes_like_solana(int value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(CompactU16.Encode(value)));
        Assert.Equal(value, CompactU16.Decode(Convert.FromHexString(hex), "len", out var consumed));
        Assert.Equal(hex.Length / 2, consumed);
    }

    [Theory]
    [InlineData("8000", "minimally")] // alias of 0
    [InlineData("ff8000", "minimally")]
    [InlineData("808000", "minimally")]
    [InlineData("ffff04", "overflows")] // 0x10000
    [InlineData("808080", "overflows")]
    [InlineData("80", "truncated")]
    [InlineData("", "truncated")]
    public void Aliases_overflow_and_truncation_are_refused(string hex, string reason)
    {
        var e = Assert.Throws<InvalidInputException>(() => CompactU16.Decode(Convert.FromHexString(hex), "len", out _));
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_value_round_trips()
    {
        for (var v = 0; v <= 0xffff; v++)
            Assert.Equal(v, CompactU16.Decode(CompactU16.Encode(v), "len", out _));
    }
}
