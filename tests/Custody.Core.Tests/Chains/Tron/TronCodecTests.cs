using System.Numerics;
using System.Text.Json;
using Custody.Core.Chains;
using Custody.Core.Chains.Evm;
using Custody.Core.Chains.Tron;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Tests.TestKit;
using Custody.Core.Wire;

namespace Custody.Core.Tests.Chains.Tron;

public class TronCodecTests
{
    private static readonly Chain Trx = ChainRegistry.Get("trx");
    private const string TronwebKey = "0000000000000000000000000000000000000000000000000000000000000001";
    private const string TronwebAddressHex = "417e5f4552091a69125d5dfcb7b8c2659029395bdf"; // TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC
    private const long Expiration = 1752562632000;

    private static JsonElement Case(string name) =>
        VectorFile.Json("trezor-tron-sign-tx.json").GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static TheoryData<string> TrezorCases() =>
        [.. VectorFile.Json("trezor-tron-sign-tx.json").GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];

    private static TronCodec CodecBefore(long expirationMs) => new(Trx, FixedTime.AtUnixMilliseconds(expirationMs - 60_000));

    // Trezor's TRON sign-tx fixtures: raw_data parses strictly, txID = sha256(raw_data), and the
    // 65-byte signature (v = 27/28) over the txID recovers to the address of the signing path.
    [Theory]
    [MemberData(nameof(TrezorCases))]
    public void Trezor_fixtures_parse_hash_and_recover_to_the_signer(string name)
    {
        var c = Case(name);
        var raw = Convert.FromHexString(c.GetProperty("raw_data_hex").GetString()!);
        var parsed = TronRawData.Parse(raw);
        var txId = Hashes.Sha256(raw);
        if (c.TryGetProperty("txID", out var expectedTxId)) Assert.Equal(expectedTxId.GetString(), Convert.ToHexStringLower(txId));

        var intent = CodecBefore(parsed.Expiration).Decode(raw);
        Assert.Equal("trx", intent.Chain.Id);
        Assert.Equal(parsed.FeeLimit, intent.Fee);
        Assert.Empty(intent.ReplayKeys); // TRON transactions never exclude each other
        Assert.Equal(TronAddress.ToText(Convert.FromHexString(c.GetProperty("owner_hex").GetString()!)), intent.Sources[0]);

        if (!c.TryGetProperty("signature", out var sigElement)) return; // Trezor refused it for its own UI limits
        var signature = Convert.FromHexString(sigElement.GetString()!);
        Assert.Equal(65, signature.Length);
        Assert.True(signature[64] is 27 or 28);
        var pub = Secp256k1.Recover(txId, signature.AsSpan(0, 64), signature[64] - 27);
        Assert.True(Secp256k1.Verify(pub, txId, signature.AsSpan(0, 64)));
        if (c.TryGetProperty("address", out var address)) Assert.Equal(address.GetString(), TronAddress.FromPublicKey(pub));
    }

    // With the keys derived from the "all …" mnemonic, TronCodec reproduces Trezor's signatures
    // byte for byte (RFC 6979 on the txID) and wraps them in the protobuf Transaction.
    [Theory]
    [MemberData(nameof(TrezorCases))]
    public void Trezor_signatures_are_reproduced_through_the_codec(string name)
    {
        var c = Case(name);
        if (!c.TryGetProperty("signature", out var expected)) return; // Trezor refused it for its own UI limits
        var raw = Convert.FromHexString(c.GetProperty("raw_data_hex").GetString()!);
        var parsed = TronRawData.Parse(raw);
        using var keys = TrezorAllMnemonic.KeyRing(KeyCurve.Secp256k1);
        var path = KeyPath.Parse(c.GetProperty("path").GetString()!);
        var codec = CodecBefore(parsed.Expiration);
        var sources = codec.Decode(raw).Sources;
        var owner = sources.Count > 0 ? sources[0] : null;
        if (owner is not null && owner != TronAddress.FromPublicKey(keys.GetPublicKey(path)) && parsed.Contract.PermissionId == 0)
        {
            // Trezor signs for an owner that is not its key; on chain that signature is refused, and so is it here.
            Assert.Equal("signerPath", Assert.Throws<InvalidInputException>(() => codec.Sign(raw, keys, path)).Field);
            return;
        }
        var signed = codec.Sign(raw, keys, path);
        var transaction = Convert.FromHexString(signed.Payload);
        Assert.Equal(expected.GetString(), Convert.ToHexStringLower(transaction.AsSpan(transaction.Length - 65)));
        Assert.Equal(Convert.ToHexStringLower(Hashes.Sha256(raw)), signed.TxId);
    }

    [Fact]
    public void Trx_transfer_intent()
    {
        var raw = Convert.FromHexString(Case("TransferContract").GetProperty("raw_data_hex").GetString()!);
        var intent = CodecBefore(Expiration).Decode(raw);
        Assert.Equal(["TY72iA3SBtrds3QLYsS7LwYfkzXwAXCRWT"], intent.Sources);
        var output = Assert.Single(intent.Outputs);
        Assert.Equal(TronAddress.ToText(Convert.FromHexString("4141f82674a30ae1328745d08afe2d1a0a24195283")), output.Destination);
        Assert.Equal(IntentOutput.NativeAsset, output.Asset);
        Assert.Equal(new BigInteger(18123456), output.Amount);
        Assert.Null(intent.Call);
        Assert.Empty(intent.ReplayKeys);
        Assert.Empty(intent.Notes);
    }

    [Fact]
    public void Trc20_transfer_uses_the_erc20_decoder_with_tron_addresses()
    {
        var raw = Convert.FromHexString(Case("TriggerSmartContract_USDT_transfer").GetProperty("raw_data_hex").GetString()!);
        var intent = CodecBefore(TronRawData.Parse(raw).Expiration).Decode(raw);
        var output = Assert.Single(intent.Outputs);
        Assert.Equal(TronAddress.ToText(Convert.FromHexString("4142a1e39aefa49290f2b3f9ed688d7cecf86cd6e0")), output.Asset); // the token contract
        Assert.Equal(TronAddress.ToText(Convert.FromHexString("41d093f24888ab06073a4bdffbb8107db1ea9dc0a0")), output.Destination);
        Assert.Equal(new BigInteger(0x13bb450), output.Amount);
        Assert.Equal(new BigInteger(50_000_000), intent.Fee);
        Assert.Null(intent.Call);
    }

    [Fact]
    public void Trc20_approve_carries_the_note_and_staking_is_a_typed_call()
    {
        var approve = Convert.FromHexString(Case("Approve_TRC-20").GetProperty("raw_data_hex").GetString()!);
        var intent = CodecBefore(TronRawData.Parse(approve).Expiration).Decode(approve);
        Assert.Equal(["erc20:approve"], intent.Notes);
        Assert.Equal("TY72iA3SBtrds3QLYsS7LwYfkzXwAXCRWT", Assert.Single(intent.Outputs).Destination); // spender

        var stake = Convert.FromHexString(Case("Stake_for_Energy").GetProperty("raw_data_hex").GetString()!);
        intent = CodecBefore(TronRawData.Parse(stake).Expiration).Decode(stake);
        Assert.Equal(new ContractCall("", "FreezeBalanceV2Contract", 0), intent.Call);
        Assert.Empty(intent.Outputs);

        var memo = Convert.FromHexString(Case("Note_hello_world").GetProperty("raw_data_hex").GetString()!);
        Assert.Equal(["tron:memo"], CodecBefore(TronRawData.Parse(memo).Expiration).Decode(memo).Notes);
    }

    [Fact]
    public void An_expired_transaction_is_refused()
    {
        var raw = Convert.FromHexString(Case("TransferContract").GetProperty("raw_data_hex").GetString()!);
        var atExpiry = new TronCodec(Trx, FixedTime.AtUnixMilliseconds(Expiration));
        Assert.Equal("raw_data.expiration", Assert.Throws<InvalidInputException>(() => atExpiry.Decode(raw)).Field);
        Assert.Equal("raw_data.expiration", Assert.Throws<InvalidInputException>(() => new TronCodec(Trx).Decode(raw)).Field); // July 2025 is past
    }

    private static byte[] RawTransfer(string ownerHex, long expiration, Action<ProtoWriter>? extra = null)
    {
        var parameter = new ProtoWriter()
            .WriteBytes(1, Convert.FromHexString(ownerHex))
            .WriteBytes(2, Convert.FromHexString("4141f82674a30ae1328745d08afe2d1a0a24195283"))
            .WriteInt64(3, 1_000_000).ToArray();
        var any = new ProtoWriter().WriteString(1, "type.googleapis.com/protocol.TransferContract").WriteBytes(2, parameter).ToArray();
        var contract = new ProtoWriter().WriteVarint(1, 1).WriteBytes(2, any).ToArray();
        var raw = new ProtoWriter()
            .WriteBytes(1, [0x12, 0x34])
            .WriteBytes(4, Convert.FromHexString("0102030405060708"))
            .WriteInt64(8, expiration)
            .WriteBytes(11, contract)
            .WriteInt64(14, expiration - 60_000);
        extra?.Invoke(raw);
        return raw.ToArray();
    }

    [Fact]
    public void Signs_as_tronweb_would_and_returns_the_protobuf_transaction()
    {
        var keys = FixedKeyRing.Single(TronwebKey);
        var raw = RawTransfer(TronwebAddressHex, Expiration);
        var codec = CodecBefore(Expiration);
        var signed = codec.Sign(codec.ParsePayload(Convert.ToHexString(raw)), keys, KeyPath.Root);

        var txId = Hashes.Sha256(raw);
        Assert.Equal(Convert.ToHexStringLower(txId), signed.TxId);
        var expectedSignature = RecoverableSigner.ToRsv(Secp256k1.Sign(Convert.FromHexString(TronwebKey), txId));
        var expected = new ProtoWriter().WriteBytes(1, raw).WriteBytes(2, expectedSignature).ToArray();
        Assert.Equal(Convert.ToHexStringLower(expected), signed.Payload);
        Assert.Equal(["TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC"], signed.Intent.Sources);
    }

    [Fact]
    public void A_key_that_is_not_the_owner_is_refused_before_signing()
    {
        var keys = FixedKeyRing.Single(TronwebKey);
        var raw = RawTransfer("41f2cd810c48c401d392ead3c6e1e1cb9f57750a58", Expiration);
        Assert.Equal("signerPath", Assert.Throws<InvalidInputException>(() => CodecBefore(Expiration).Sign(raw, keys, KeyPath.Root)).Field);
        Assert.Equal(0, keys.SignatureCount);
    }

    [Theory]
    [InlineData("duplicate expiration", "raw_data.expiration")]
    [InlineData("second contract", "raw_data.contract")]
    [InlineData("unknown field", "raw_data")]
    [InlineData("auths", "raw_data")]
    [InlineData("expiration as bytes", "raw_data.expiration")]
    public void Ambiguous_or_unknown_fields_are_refused(string what, string field)
    {
        Action<ProtoWriter> extra = what switch
        {
            "duplicate expiration" => w => w.WriteInt64(8, Expiration + 1),
            "second contract" => w => w.WriteBytes(11, TronRawData.Parse(RawTransfer(TronwebAddressHex, Expiration)).Contract.Parameter.Span),
            "unknown field" => w => w.WriteVarint(99, 1),
            "auths" => w => w.WriteBytes(9, [1]),
            _ => w => w.WriteBytes(8, [1]),
        };
        var e = Assert.Throws<InvalidInputException>(() => TronRawData.Parse(RawTransfer(TronwebAddressHex, Expiration, extra)));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void A_type_url_that_names_another_contract_is_refused()
    {
        var raw = RawTransfer(TronwebAddressHex, Expiration);
        var hex = Convert.ToHexStringLower(raw).Replace(Convert.ToHexStringLower("TransferContract"u8), Convert.ToHexStringLower("TransferContracX"u8), StringComparison.Ordinal);
        Assert.Equal("raw_data.contract.parameter.type_url", Assert.Throws<InvalidInputException>(() => TronRawData.Parse(Convert.FromHexString(hex))).Field);
    }

    [Fact]
    public void A_bad_owner_address_is_refused()
    {
        var raw = RawTransfer("7e5f4552091a69125d5dfcb7b8c2659029395bdf42", Expiration); // no 0x41 prefix
        Assert.Equal("raw_data.contract.parameter.value.owner_address",
            Assert.Throws<InvalidInputException>(() => CodecBefore(Expiration).Decode(raw)).Field);
    }

    // Property: each trezor raw_data cut at every length, and thousands of random byte flips,
    // parse or are refused with InvalidInputException — never another exception.
    [Fact]
    public void Truncated_and_mutated_raw_data_is_parsed_or_refused()
    {
        var random = new Random(195);
        var codec = CodecBefore(0);
        var cuts = new FuzzCoverage("TRON raw_data cut short");
        var mutations = new FuzzCoverage("TRON raw_data mutated");
        var noise = new FuzzCoverage("random bytes as TRON raw_data");
        foreach (var c in VectorFile.Json("trezor-tron-sign-tx.json").GetProperty("cases").EnumerateArray())
        {
            var raw = Convert.FromHexString(c.GetProperty("raw_data_hex").GetString()!);
            for (var cut = 0; cut < raw.Length; cut++) cuts.Try(() => codec.Decode(raw.AsSpan(0, cut)));
            for (var i = 0; i < 400; i++)
            {
                var mutated = (byte[])raw.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                mutations.Try(() => codec.Decode(mutated));
            }
        }
        for (var i = 0; i < 10000; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            noise.Try(() => codec.Decode(bytes));
        }
        // Protobuf cut at a field boundary is still protobuf: some prefixes decode, most do not.
        cuts.AssertReached(minAccepted: 10, minRefused: 1000);
        mutations.AssertReached(minAccepted: 500, minRefused: 500);
        noise.AssertReached(minAccepted: 0, minRefused: 9000);
    }

    // TronWeb signMessageV2 vectors: "\x19TRON Signed Message:\n" + length, keccak256, r‖s‖v.
    [Fact]
    public void Tron_message_signing_matches_tronweb()
    {
        var set = VectorFile.Json("tron-address-and-message.json").GetProperty("message_signing_tronweb").GetProperty("vectors");
        foreach (var v in set.EnumerateArray())
        {
            var message = HexText.Parse(v.GetProperty("message_hex").GetString(), "m", 1024);
            var keys = FixedKeyRing.Single(v.GetProperty("privateKey").GetString()!);
            Assert.Equal(v.GetProperty("messageHash").GetString(), HexText.Prefixed(TronMessages.Digest(message)));
            Assert.Equal(v.GetProperty("signature").GetString(), HexText.Prefixed(TronMessages.Sign(keys, KeyPath.Root, message)));
            Assert.Equal(v.GetProperty("address").GetString(), TronAddress.FromPublicKey(keys.GetPublicKey(KeyPath.Root)));
        }
    }
}
