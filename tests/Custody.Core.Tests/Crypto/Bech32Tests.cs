using System.Text.Json;
using Custody.Core.Crypto;

namespace Custody.Core.Tests.Crypto;

// BIP173 (Bech32) and BIP350 (Bech32m) test vectors: valid strings, invalid strings,
// valid addresses with their scriptPubKey, invalid addresses.
public class Bech32Tests
{
    private static string Text(JsonElement e, string property) =>
        e.TryGetProperty("bytes_hex", out var hex)
            ? new string([.. Convert.FromHexString(hex.GetString()!).Select(b => (char)b)])
            : e.GetProperty(property).GetString()!;

    [Theory]
    [InlineData("bip173-bech32.json", "valid_bech32", Bech32Variant.Bech32)]
    [InlineData("bip350-bech32m.json", "valid_bech32m", Bech32Variant.Bech32m)]
    public void Valid_strings_decode_and_re_encode(string file, string list, Bech32Variant variant)
    {
        foreach (var v in VectorFile.Json(file).GetProperty(list).EnumerateArray())
        {
            var text = Text(v, "string");
            var (hrp, data, decodedVariant) = Bech32.Decode(text);
            Assert.Equal(variant, decodedVariant);
            Assert.Equal(text.ToLowerInvariant(), Bech32.Encode(hrp, data, variant));
        }
    }

    [Theory]
    [InlineData("bip173-bech32.json", "invalid_bech32", Bech32Variant.Bech32)]
    [InlineData("bip350-bech32m.json", "invalid_bech32m", Bech32Variant.Bech32m)]
    public void Invalid_strings_are_refused(string file, string list, Bech32Variant variant)
    {
        foreach (var v in VectorFile.Json(file).GetProperty(list).EnumerateArray())
        {
            var text = Text(v, "string");
            try
            {
                var (_, _, decoded) = Bech32.Decode(text);
                Assert.NotEqual(variant, decoded); // valid only as the other variant
            }
            catch (InvalidInputException)
            {
            }
        }
    }

    [Fact]
    public void Valid_segwit_addresses_give_their_script()
    {
        // BIP173's v1+ addresses are superseded by BIP350; its v0 ones still hold.
        var all = VectorFile.Json("bip350-bech32m.json").GetProperty("valid_segwit_addresses").EnumerateArray()
            .Concat(VectorFile.Json("bip173-bech32.json").GetProperty("valid_segwit_addresses").EnumerateArray()
                .Where(v => v.GetProperty("scriptPubKey").GetString()!.StartsWith("00", StringComparison.Ordinal)));
        foreach (var v in all)
        {
            var address = v.GetProperty("address").GetString()!;
            var hrp = address[..address.LastIndexOf('1')].ToLowerInvariant();
            var (version, program) = Bech32.DecodeSegwitAddress(hrp, address);
            var script = new byte[2 + program.Length];
            script[0] = (byte)(version == 0 ? 0 : 0x50 + version);
            script[1] = (byte)program.Length;
            program.CopyTo(script, 2);
            Assert.Equal(v.GetProperty("scriptPubKey").GetString(), VectorFile.ToHex(script));
            Assert.Equal(address.ToLowerInvariant(), Bech32.EncodeSegwitAddress(hrp, version, program));
        }
    }

    [Fact]
    public void Invalid_segwit_addresses_are_refused_on_every_network()
    {
        var all = VectorFile.Json("bip350-bech32m.json").GetProperty("invalid_segwit_addresses").EnumerateArray()
            .Concat(VectorFile.Json("bip173-bech32.json").GetProperty("invalid_segwit_addresses").EnumerateArray());
        foreach (var v in all)
            foreach (var hrp in new[] { "bc", "tb", "bcrt" })
                Assert.Throws<InvalidInputException>(() => Bech32.DecodeSegwitAddress(hrp, Text(v, "address")));
        Assert.Throws<InvalidInputException>(() => Bech32.DecodeSegwitAddress("bc", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx"));
    }
}
