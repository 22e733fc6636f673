using System.Numerics;
using Custody.Core.Wire;

namespace Custody.Core.Tests.Wire;

public class RlpTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    // The examples of the Ethereum wiki / yellow paper appendix B.
    [Theory]
    [InlineData("646f67", "83646f67")] // "dog"
    [InlineData("", "80")] // empty string
    [InlineData("00", "00")] // the byte 0x00
    [InlineData("0f", "0f")]
    [InlineData("80", "8180")] // a single byte ≥ 0x80 needs a header
    [InlineData("4c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974",
        "b8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974")]
    public void Byte_strings_encode_as_the_spec_examples(string payload, string encoded)
    {
        Assert.Equal(encoded, Convert.ToHexStringLower(Rlp.EncodeBytes(Hex(payload))));
        var item = Rlp.Decode(Hex(encoded));
        Assert.False(item.IsList);
        Assert.Equal(payload, Convert.ToHexStringLower(item.Bytes));
    }

    [Theory]
    [InlineData(0UL, "80")]
    [InlineData(15UL, "0f")]
    [InlineData(1024UL, "820400")]
    [InlineData(ulong.MaxValue, "88ffffffffffffffff")]
    public void Integers_encode_without_leading_zeros(ulong value, string encoded)
    {
        Assert.Equal(encoded, Convert.ToHexStringLower(Rlp.EncodeUInt(value)));
        Assert.Equal(encoded, Convert.ToHexStringLower(Rlp.EncodeUInt(new BigInteger(value))));
        var reader = new RlpReader(Hex(encoded));
        Assert.Equal(value, reader.ReadUInt64("n"));
        reader.EnsureEnd("n");
    }

    [Fact]
    public void Lists_encode_as_the_spec_examples()
    {
        var catDog = Rlp.EncodeList(Rlp.EncodeBytes("cat"u8), Rlp.EncodeBytes("dog"u8));
        Assert.Equal("c88363617483646f67", Convert.ToHexStringLower(catDog));
        Assert.Equal("c0", Convert.ToHexStringLower(Rlp.EncodeList()));
        // The set-theoretical representation of three: [ [], [[]], [ [], [[]] ] ]
        var empty = Rlp.EncodeList();
        var one = Rlp.EncodeList(empty);
        var three = Rlp.EncodeList(empty, one, Rlp.EncodeList(empty, one));
        Assert.Equal("c7c0c1c0c3c0c1c0", Convert.ToHexStringLower(three));
        var tree = Rlp.Decode(three);
        Assert.Equal(3, tree.Items.Count);
        Assert.Equal(three, tree.Encode());
    }

    [Fact]
    public void Long_lists_use_the_long_form()
    {
        var items = Enumerable.Range(0, 30).Select(_ => Rlp.EncodeBytes("ab"u8)).ToArray(); // 90-byte payload
        var encoded = Rlp.EncodeList(items);
        Assert.Equal("f85a", Convert.ToHexStringLower(encoded.AsSpan(0, 2)));
        Assert.Equal(30, Rlp.Decode(encoded).Items.Count);
    }

    [Theory]
    [InlineData("8100", "single byte below 0x80")] // 0x00 must be written as itself
    [InlineData("817f", "single byte below 0x80")]
    [InlineData("b80161", "long form")] // 1-byte payload in long form
    [InlineData("b90038" + "61", "leading zero")] // length with a leading zero
    [InlineData("f80100", "long form")]
    [InlineData("83646f", "remain")] // truncated payload
    [InlineData("b8", "truncated")]
    [InlineData("bf ffffffffffffffff", "remain")] // 2^64-1 declared
    [InlineData("c4836461", "remain")]
    [InlineData("8364", "remain")]
    public void Non_canonical_or_truncated_input_is_refused(string hex, string reason)
    {
        var e = Assert.Throws<InvalidInputException>(() => Rlp.Decode(Hex(hex.Replace(" ", "", StringComparison.Ordinal))));
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_after_the_item_are_refused()
    {
        var e = Assert.Throws<InvalidInputException>(() => Rlp.Decode(Hex("0101")));
        Assert.Contains("unexpected", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Integers_with_a_leading_zero_are_refused()
    {
        var e = Assert.Throws<InvalidInputException>(() => new RlpReader(Hex("820001")).ReadUInt64("tx.nonce"));
        Assert.Equal("tx.nonce", e.Field);
        Assert.Throws<InvalidInputException>(() => new RlpReader(Hex("00")).ReadUInt64("n")); // zero is 0x80, not 0x00
        Assert.Throws<InvalidInputException>(() => new RlpReader(Hex("89010000000000000000")).ReadUInt64("n")); // 9 bytes
        Assert.Throws<InvalidInputException>(() => new RlpReader(Hex("a1" + "01" + new string('0', 64))).ReadUInt("n")); // 33 bytes
    }

    [Fact]
    public void Nesting_is_bounded()
    {
        var item = Rlp.EncodeList();
        for (var i = 1; i < Rlp.MaxDepth; i++) item = Rlp.EncodeList(item);
        Assert.True(Rlp.Decode(item).IsList); // MaxDepth lists deep
        var e = Assert.Throws<InvalidInputException>(() => Rlp.Decode(Rlp.EncodeList(item)));
        Assert.Contains("nested", e.Reason, StringComparison.Ordinal);
    }

    // Property: any byte string either decodes to an item whose encoding is exactly the
    // input (canonical: one encoding per value) or is refused with InvalidInputException.
    [Fact]
    public void Random_input_decodes_canonically_or_is_refused()
    {
        var random = new Random(20261124);
        var decoded = 0;
        for (var i = 0; i < 20000; i++)
        {
            var input = new byte[random.Next(0, 48)];
            random.NextBytes(input);
            if (input.Length > 0 && random.Next(2) == 0) input[0] = (byte)random.Next(0xc0, 0x100); // more lists
            try
            {
                var item = Rlp.Decode(input);
                Assert.Equal(input, item.Encode());
                decoded++;
            }
            catch (InvalidInputException)
            {
            }
        }
        Assert.True(decoded > 100, $"only {decoded} random inputs decoded");
    }

    // Property: random trees round-trip; every strict prefix and every one-byte corruption of
    // the length header is refused or decodes canonically, never anything else.
    [Fact]
    public void Random_trees_round_trip_and_their_truncations_are_refused()
    {
        var random = new Random(42);
        for (var i = 0; i < 3000; i++)
        {
            var tree = RandomTree(random, 0);
            var encoded = tree.Encode();
            Assert.Equal(encoded, Rlp.Decode(encoded).Encode());
            for (var cut = 0; cut < encoded.Length; cut++)
                Assert.Throws<InvalidInputException>(() => Rlp.Decode(encoded.AsSpan(0, cut)));
        }
    }

    private static RlpItem RandomTree(Random random, int depth)
    {
        if (depth < 4 && random.Next(3) == 0)
            return RlpItem.List(Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomTree(random, depth + 1)));
        var bytes = new byte[random.Next(4) == 0 ? random.Next(50, 300) : random.Next(0, 3)];
        random.NextBytes(bytes);
        return RlpItem.String(bytes);
    }
}
