using Custody.Core.Crypto;

namespace Custody.Core.Tests.Crypto;

public class Base58Tests
{
    // Bitcoin Core's base58_encode_decode.json cases.
    [Theory]
    [InlineData("", "")]
    [InlineData("61", "2g")]
    [InlineData("626262", "a3gV")]
    [InlineData("636363", "aPEr")]
    [InlineData("73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2")]
    [InlineData("00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L")]
    [InlineData("516b6fcd0f", "ABnLTmg")]
    [InlineData("bf4f89001e670274dd", "3SEo3LWLoPntC")]
    [InlineData("572e4794", "3EFU7m")]
    [InlineData("ecac89cad93923c02321", "EJDM8drfXA6uyA")]
    [InlineData("10c8511e", "Rt5zm")]
    [InlineData("00000000000000000000", "1111111111")]
    public void Encodes_and_decodes(string hex, string text)
    {
        Assert.Equal(text, Base58.Encode(VectorFile.Hex(hex)));
        Assert.Equal(hex, VectorFile.ToHex(Base58.Decode(text)));
    }

    [Fact]
    public void Check_round_trip_and_errors()
    {
        // The genesis coinbase address.
        var payload = Base58.DecodeCheck("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
        Assert.Equal("0062e907b15cbf27d5425399ebf6f0fb50ebb88f18", VectorFile.ToHex(payload));
        Assert.Equal("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Base58.EncodeCheck(payload));

        var badChecksum = Assert.Throws<InvalidInputException>(() => Base58.DecodeCheck("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"));
        Assert.Contains("checksum", badChecksum.Message, StringComparison.Ordinal);
        var badChar = Assert.Throws<InvalidInputException>(() => Base58.DecodeCheck("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0"));
        Assert.Contains("alphabet", badChar.Message, StringComparison.Ordinal);
        Assert.False(Base58.TryDecodeCheck("1", out _));
        Assert.False(Base58.TryDecode(new string('2', 5000), out _));
    }

    [Fact]
    public void Random_round_trips()
    {
        var random = new Random(58);
        for (var i = 0; i < 500; i++)
        {
            var data = new byte[random.Next(0, 80)];
            random.NextBytes(data);
            if (data.Length > 2 && i % 3 == 0) data[0] = data[1] = 0;
            Assert.Equal(data, Base58.Decode(Base58.Encode(data)));
            Assert.Equal(data, Base58.DecodeCheck(Base58.EncodeCheck(data)));
        }
    }
}
