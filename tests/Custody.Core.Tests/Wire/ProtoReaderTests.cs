using Custody.Core.Tests.TestKit;
using Custody.Core.Wire;

namespace Custody.Core.Tests.Wire;

public class ProtoReaderTests
{
    [Fact]
    public void Reads_what_the_writer_writes()
    {
        var bytes = new ProtoWriter().WriteVarint(1, 150).WriteInt64(2, -1).WriteBytes(3, "hi"u8).WriteString(15, "x").ToArray();
        // 150 → 0x96 0x01 (the protobuf encoding guide's example); -1 → ten bytes.
        Assert.Equal("089601" + "10ffffffffffffffffff01" + "1a026869" + "7a0178", Convert.ToHexStringLower(bytes));
        var reader = new ProtoReader(bytes);
        Assert.True(reader.TryReadTag("m", out var field, out var type));
        Assert.Equal((1, ProtoWireType.Varint), (field, type));
        Assert.Equal(150UL, reader.ReadVarint("a"));
        Assert.True(reader.TryReadTag("m", out field, out _));
        Assert.Equal(2, field);
        Assert.Equal(-1L, reader.ReadInt64("b"));
        Assert.True(reader.TryReadTag("m", out field, out type));
        Assert.Equal((3, ProtoWireType.LengthDelimited), (field, type));
        Assert.Equal("hi"u8.ToArray(), reader.ReadLengthDelimited("c").ToArray());
        Assert.True(reader.TryReadTag("m", out field, out type));
        reader.Skip("d", type);
        Assert.False(reader.TryReadTag("m", out _, out _));
    }

    [Theory]
    [InlineData("08", "truncated")] // tag without value
    [InlineData("0880", "truncated")] // varint continues past the end
    [InlineData("088000", "minimally")] // 0 written in two bytes
    [InlineData("08ffffffffffffffffff02", "overflows")] // 11th bit beyond 64
    [InlineData("0a05616263", "remain")] // length beyond the input
    [InlineData("0b", "wire type 3")] // group start
    [InlineData("00", "field number 0")]
    [InlineData("0d0102", "truncated")] // fixed32 cut short
    public void Malformed_input_is_refused(string hex, string reason)
    {
        var e = Assert.Throws<InvalidInputException>(() =>
        {
            var reader = new ProtoReader(Convert.FromHexString(hex));
            while (reader.TryReadTag("m", out _, out var type)) reader.Skip("m", type);
        });
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    // Property: random bytes are walked to the end or refused with InvalidInputException.
    [Fact]
    public void Random_input_is_walked_or_refused()
    {
        var random = new Random(7);
        var coverage = new FuzzCoverage("random bytes as protobuf");
        for (var i = 0; i < 20000; i++)
        {
            var input = new byte[random.Next(0, 40)];
            random.NextBytes(input);
            coverage.Try(() =>
            {
                var reader = new ProtoReader(input);
                while (reader.TryReadTag("m", out _, out var type)) reader.Skip("m", type);
            });
        }
        coverage.AssertReached(minAccepted: 500, minRefused: 5000);
    }
}
