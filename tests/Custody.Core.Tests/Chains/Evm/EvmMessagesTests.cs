using System.Text.Json;
using System.Text.Json.Nodes;
using Custody.Core.Chains.Evm;
using Custody.Core.Hd;
using Custody.Core.Tests.TestKit;
using static Custody.Core.Tests.Chains.Evm.EvmTestData;

namespace Custody.Core.Tests.Chains.Evm;

public class EvmMessagesTests
{
    public static TheoryData<int> SigningIndexes() => [0, 1, 2];

    // ethers.js "Test Signing Messages" (EIP-191 personal_sign): digest, 65-byte signature, address.
    [Theory]
    [MemberData(nameof(SigningIndexes))]
    public void Personal_sign_vectors_are_reproduced(int index)
    {
        var v = VectorFile.Json("eip191-personal-sign.json").GetProperty("signing_vectors")[index];
        var message = Hex(v.GetProperty("message_hex").GetString()!);
        var keys = FixedKeyRing.Single(v.GetProperty("privateKey").GetString()!);

        var digest = EvmMessages.PersonalMessageDigest(message);
        Assert.Equal(v.GetProperty("messageHash").GetString(), ToHex(digest));
        var signature = EvmMessages.SignPersonalMessage(keys, KeyPath.Root, message);
        Assert.Equal(v.GetProperty("signature").GetString(), ToHex(signature));
        Assert.Equal(v.GetProperty("address").GetString(), EvmMessages.RecoverAddress(digest, signature));
    }

    [Fact]
    public void Personal_message_hashes_match_ethers()
    {
        foreach (var v in VectorFile.Json("eip191-personal-sign.json").GetProperty("hash_vectors").EnumerateArray())
            Assert.Equal(v.GetProperty("hash").GetString(), ToHex(EvmMessages.PersonalMessageDigest(Hex(v.GetProperty("message_hex").GetString()!))));
    }

    // EIP-712 "Mail" example with the intermediate values of the EIP's Example.js.
    [Fact]
    public void Eip712_mail_example_is_reproduced()
    {
        var v = VectorFile.Json("eip712-mail.json");
        var expected = v.GetProperty("expected");
        var json = v.GetProperty("typed_data").GetRawText();
        var typed = Eip712.Parse(json);
        var message = v.GetProperty("typed_data").GetProperty("message");

        Assert.Equal(expected.GetProperty("encodeType_Mail").GetString(), typed.EncodeType("Mail"));
        Assert.Equal(expected.GetProperty("typeHash_Mail").GetString(), ToHex(typed.TypeHash("Mail")));
        Assert.Equal(expected.GetProperty("encodeData_Mail").GetString(), ToHex(typed.EncodeData("Mail", message, "m")));
        Assert.Equal(expected.GetProperty("hashStruct_Mail").GetString(), ToHex(typed.HashStruct("Mail", message, "m")));
        Assert.Equal(expected.GetProperty("domainSeparator").GetString(), ToHex(typed.DomainSeparator()));
        Assert.Equal(expected.GetProperty("signHash_digest").GetString(), ToHex(typed.Digest()));
        Assert.Equal(1, (int)typed.DomainChainId!.Value);

        var keys = FixedKeyRing.Single(v.GetProperty("private_key").GetString()!);
        var decoded = EvmMessages.DecodeTypedData(json, chainId: 1);
        Assert.Empty(decoded.Notes);
        var signature = EvmMessages.SignDigest(keys, KeyPath.Root, decoded.Digest);
        Assert.Equal(expected.GetProperty("signature_rsv").GetString(), ToHex(signature));
        Assert.Equal(v.GetProperty("signer_address").GetString(), EvmMessages.RecoverAddress(typed.Digest(), signature));
    }

    // A signature is for one chain: typed data bound to another is refused; typed data bound to none
    // is valid on every chain, which the decoder reports as a note for the policy to judge.
    [Fact]
    public void Typed_data_is_decoded_for_its_chain_and_a_domain_without_one_is_noted()
    {
        var json = VectorFile.Json("eip712-mail.json").GetProperty("typed_data").GetRawText();
        var e = Assert.Throws<InvalidInputException>(() => EvmMessages.DecodeTypedData(json, chainId: 137, "typed_data_json"));
        Assert.Equal("typed_data_json.domain.chainId", e.Field);
        Assert.Contains("chain id 1, not 137", e.Reason, StringComparison.Ordinal);

        var domainless = Mail(n =>
        {
            n["domain"]!.AsObject().Remove("chainId");
            n["types"]!["EIP712Domain"]!.AsArray().RemoveAt(2);
        });
        var decoded = EvmMessages.DecodeTypedData(domainless, chainId: 137);
        Assert.Equal([EvmMessages.NoChainIdNote], decoded.Notes);
        Assert.Equal(Eip712.Parse(domainless).Digest(), decoded.Digest);
        Assert.Equal("eip712:no-chain-id", EvmMessages.NoChainIdNote);

        // Naming chainId in the domain but not in its type does not make the domain bound.
        Assert.Equal("typedData.domain.chainId", Assert.Throws<InvalidInputException>(() =>
            EvmMessages.DecodeTypedData(Mail(n => n["types"]!["EIP712Domain"]!.AsArray().RemoveAt(2)), chainId: 1)).Field);
    }

    private static string Mail(Action<JsonNode> mutate)
    {
        var node = JsonNode.Parse(VectorFile.Json("eip712-mail.json").GetProperty("typed_data").GetRawText())!;
        mutate(node);
        return node.ToJsonString();
    }

    [Fact]
    public void Eip712_refuses_missing_extra_and_mistyped_members()
    {
        Assert.Equal("typedData.message.contents", Assert.Throws<InvalidInputException>(() =>
            Eip712.Parse(Mail(n => n["message"]!.AsObject().Remove("contents"))).Digest()).Field);
        Assert.Contains("not a member", Assert.Throws<InvalidInputException>(() =>
            Eip712.Parse(Mail(n => n["message"]!["extra"] = 1)).Digest()).Reason, StringComparison.Ordinal);
        Assert.Equal("typedData.message.contents", Assert.Throws<InvalidInputException>(() =>
            Eip712.Parse(Mail(n => n["message"]!["contents"] = 5)).Digest()).Field);
        Assert.Equal("typedData.message.from.wallet", Assert.Throws<InvalidInputException>(() =>
            Eip712.Parse(Mail(n => n["message"]!["from"]!["wallet"] = "0xcD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")).Digest()).Field); // bad EIP-55
        Assert.Equal("typedData.types.Mail.contents", Assert.Throws<InvalidInputException>(() =>
            Eip712.Parse(Mail(n => n["types"]!["Mail"]![2]!["type"] = "strin"))).Field);
        Assert.Equal("typedData.primaryType", Assert.Throws<InvalidInputException>(() =>
            Eip712.Parse(Mail(n => n["primaryType"] = "Letter"))).Field);
        Assert.Equal("typedData", Assert.Throws<InvalidInputException>(() => Eip712.Parse("{not json")).Field);
    }

    // JSON can escape half a surrogate pair ("\ud800"), which decodes to no character: each place a
    // string is read refuses it with its path, as does a raw one in the text.
    [Fact]
    public void Eip712_refuses_lone_surrogates_naming_where()
    {
        string Field(Action<JsonNode> mutate, string escaped) =>
            Assert.Throws<InvalidInputException>(() => Eip712.Parse(Mail(mutate).Replace("LONE", escaped, StringComparison.Ordinal)).Digest()).Field;

        Assert.Equal("typedData.message.contents", Field(n => n["message"]!["contents"] = "LONE", "\\ud800"));
        Assert.Equal("typedData.message.to", Field(n => n["message"]!["to"]!["LONE"] = 1, "\\udc00"));
        Assert.Equal("typedData.message.from.wallet", Field(n => n["message"]!["from"]!["wallet"] = "0xLONE", "\\ud800"));
        Assert.Equal("typedData.types", Field(n => n["types"]!["LONE"] = new JsonArray(), "\\ud800"));
        Assert.Equal("typedData.types.Person[0].name", Field(n => n["types"]!["Person"]![0]!["name"] = "LONE", "\\ud800"));
        Assert.Equal("typedData.primaryType", Field(n => n["primaryType"] = "LONE", "\\ud800x"));
        Assert.Equal("typedData.domain", Field(n => n["domain"]!["LONE"] = 1, "\\ud800"));
        Assert.Equal("typedData", Field(n => n["LONE"] = 1, "\\ud800"));
        Assert.Equal("typedData", Field(n => n["message"]!["contents"] = "LONE", "\ud800")); // raw, not escaped
    }

    // Arrays, fixed bytes, signed integers and bool, checked against values computed by hand
    // from the EIP's rules: encodeData of an array is keccak of the concatenated encodings.
    [Fact]
    public void Eip712_encodes_arrays_bytes_and_integers_as_specified()
    {
        const string json = """
        {"types":{"EIP712Domain":[{"name":"name","type":"string"}],
                  "T":[{"name":"a","type":"uint8[2]"},{"name":"b","type":"bytes3"},{"name":"c","type":"int16"},
                       {"name":"d","type":"bool"},{"name":"e","type":"bytes"},{"name":"f","type":"string[]"}]},
         "primaryType":"T","domain":{"name":"x"},
         "message":{"a":[1,"0x02"],"b":"0x010203","c":-2,"d":true,"e":"0xff","f":["a"]}}
        """;
        var typed = Eip712.Parse(json);
        Assert.Equal("T(uint8[2] a,bytes3 b,int16 c,bool d,bytes e,string[] f)", typed.EncodeType("T"));
        var message = JsonDocument.Parse(json).RootElement.GetProperty("message");
        var data = typed.EncodeData("T", message, "m");
        Assert.Equal(7 * 32, data.Length);
        var words = Enumerable.Range(0, 7).Select(i => Convert.ToHexStringLower(data.AsSpan(32 * i, 32))).ToArray();
        var one = new string('0', 63) + "1";
        var two = new string('0', 63) + "2";
        Assert.Equal(Convert.ToHexStringLower(Custody.Core.Crypto.Hashes.Keccak256(Convert.FromHexString(one + two))), words[1]);
        Assert.Equal("010203" + new string('0', 58), words[2]);
        Assert.Equal(new string('f', 63) + "e", words[3]);
        Assert.Equal(one, words[4]);
        Assert.Equal(Convert.ToHexStringLower(Custody.Core.Crypto.Hashes.Keccak256([0xff])), words[5]);
        Assert.Equal(Convert.ToHexStringLower(Custody.Core.Crypto.Hashes.Keccak256(Custody.Core.Crypto.Hashes.Keccak256("a"u8))), words[6]);

        Assert.Throws<InvalidInputException>(() => Eip712.Parse(json.Replace("\"c\":-2", "\"c\":40000", StringComparison.Ordinal)).Digest());
        Assert.Throws<InvalidInputException>(() => Eip712.Parse(json.Replace("[1,\"0x02\"]", "[1]", StringComparison.Ordinal)).Digest());
        Assert.Throws<InvalidInputException>(() => Eip712.Parse(json.Replace("\"0x010203\"", "\"0x0102\"", StringComparison.Ordinal)).Digest());
    }

    // Property: random edits of the Mail JSON (characters replaced, deleted, duplicated) are
    // hashed or refused with InvalidInputException, never another exception.
    [Fact]
    public void Mutated_typed_data_is_hashed_or_refused()
    {
        var json = VectorFile.Json("eip712-mail.json").GetProperty("typed_data").GetRawText();
        const string Alphabet = "{}[]\":,0123456789abcdefxX-. EIP712Domainuintbytesstring[2]";
        var random = new Random(712);
        var coverage = new FuzzCoverage("EIP-712 mail JSON edited");
        for (var i = 0; i < 3000; i++)
        {
            var text = new System.Text.StringBuilder(json);
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0: text[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                    case 1: text.Remove(at, 1); break;
                    default: text.Insert(at, text.ToString(at, Math.Min(8, text.Length - at))); break;
                }
            }
            coverage.Try(() => Assert.Equal(32, Eip712.Parse(text.ToString()).Digest().Length));
        }
        coverage.AssertReached(minAccepted: 100, minRefused: 1000);
    }
}
