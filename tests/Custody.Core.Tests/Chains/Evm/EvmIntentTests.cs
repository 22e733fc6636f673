using System.Numerics;
using Custody.Core.Chains;
using Custody.Core.Chains.Evm;
using Custody.Core.Hd;
using Custody.Core.Tests.TestKit;
using static Custody.Core.Tests.Chains.Evm.EvmTestData;

namespace Custody.Core.Tests.Chains.Evm;

public class EvmIntentTests
{
    private const string Token = "0xdAC17F958D2ee523a2206206994597C13D831ec7"; // USDT on Ethereum
    private const string Recipient = "0x3535353535353535353535353535353535353535";
    private static readonly EvmCodec Codec = new(ChainRegistry.Get("eth"));

    private static byte[] Payload(string? to, string data, BigInteger value = default, ulong chainId = 1) => new EvmTransaction
    {
        Type = EvmTransactionType.DynamicFee,
        ChainId = chainId,
        Nonce = 7,
        MaxPriorityFeePerGas = 2,
        MaxFeePerGas = 100,
        GasLimit = 60000,
        To = to is null ? null : EvmAddress.Parse(to),
        Value = value,
        Data = Hex(data),
    }.EncodeUnsigned();

    private static string Word(string hex) => hex.PadLeft(64, '0');

    /// <summary>The note the policy's replacement rule compares (SHA-256 by the BCL, not by our Hashes).</summary>
    // The notes as the canonical intent JSON lists them: the typed calldata digest comes last.
    private static string[] NotesAndDigest(TransactionIntent intent) =>
        [.. intent.Notes, .. intent.CalldataDigest is { } digest ? ["calldata-sha256:" + digest] : Array.Empty<string>()];

    private static string Digest(string dataHex) => "calldata-sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Hex(dataHex)));

    [Fact]
    public void Erc20_transfer_becomes_an_output_in_the_token()
    {
        var data = "a9059cbb" + Word(Recipient[2..]) + Word("0f4240");
        var intent = Codec.Decode(Payload(Token, data));
        var output = Assert.Single(intent.Outputs);
        Assert.Equal(Recipient, output.Destination);
        Assert.Equal(Token, output.Asset);
        Assert.Equal(new BigInteger(1_000_000), output.Amount);
        Assert.Null(intent.Call);
        Assert.Equal([Digest(data)], NotesAndDigest(intent));
        Assert.Equal(new BigInteger(6_000_000), intent.Fee); // 60000 gas × 100 wei fee cap
        Assert.Equal("eth", intent.Chain.Id);
    }

    [Fact]
    public void Erc20_approve_is_an_output_to_the_spender_with_a_note()
    {
        var data = "095ea7b3" + Word(Recipient[2..]) + new string('f', 64);
        var intent = Codec.Decode(Payload(Token, data));
        var output = Assert.Single(intent.Outputs);
        Assert.Equal(Recipient, output.Destination);
        Assert.Equal((BigInteger.One << 256) - 1, output.Amount);
        Assert.Equal(["erc20:approve", Digest(data)], NotesAndDigest(intent));
    }

    [Fact]
    public void Erc20_transferFrom_names_the_holder_as_a_source()
    {
        var holder = "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F";
        var data = "23b872dd" + Word(holder[2..]) + Word(Recipient[2..]) + Word("01");
        var intent = Codec.Decode(Payload(Token, data));
        Assert.Equal([holder], intent.Sources);
        Assert.Equal(Recipient, Assert.Single(intent.Outputs).Destination);
        Assert.Equal(["erc20:transferFrom", Digest(data)], NotesAndDigest(intent));
    }

    [Theory]
    [InlineData("a9059cbb", "tx.data")] // no arguments
    [InlineData("a9059cbb" + "0000000000000000000000003535353535353535353535353535353535353535" + "00", "tx.data")] // short amount
    [InlineData("a9059cbb" + "0000000000000000000000003535353535353535353535353535353535353535" + "0000000000000000000000000000000000000000000000000000000000000001" + "00", "tx.data")] // trailing byte
    [InlineData("a9059cbb" + "0100000000000000000000003535353535353535353535353535353535353535" + "0000000000000000000000000000000000000000000000000000000000000001", "tx.data.to")] // dirty address word
    [InlineData("23b872dd" + "0000000000000000000000003535353535353535353535353535353535353535" + "0000000000000000000000000000000000000000000000000000000000000001", "tx.data")]
    public void Malformed_erc20_calldata_is_refused_not_passed_as_a_call(string data, string field)
    {
        var e = Assert.Throws<InvalidInputException>(() => Codec.Decode(Payload(Token, data)));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Other_calldata_is_a_contract_call_with_its_selector_and_value()
    {
        var intent = Codec.Decode(Payload(Token, "d0e30db0", value: 5)); // WETH deposit()
        Assert.Equal(new ContractCall(Token, "0xd0e30db0", 5), intent.Call);
        Assert.Equal(new IntentOutput(Token, IntentOutput.NativeAsset, 5, false), Assert.Single(intent.Outputs));
        Assert.Equal([Digest("d0e30db0")], NotesAndDigest(intent));
    }

    [Fact]
    public void A_plain_value_transfer_carries_no_calldata_digest()
    {
        var intent = Codec.Decode(Payload(Recipient, "", value: 5));
        Assert.Empty(intent.Notes);
    }

    [Fact]
    public void Contract_creation_is_a_call_to_no_contract()
    {
        var intent = Codec.Decode(Payload(null, "6080604052"));
        Assert.Equal(new ContractCall("", "", 0), intent.Call);
        Assert.Equal(["contract-creation", Digest("6080604052")], NotesAndDigest(intent));
        Assert.Empty(intent.Outputs);
    }

    [Fact]
    public void A_transaction_for_another_chain_is_refused_before_signing()
    {
        var keys = FixedKeyRing.Single("4646464646464646464646464646464646464646464646464646464646464646");
        var payload = Payload(Recipient, "", 1, chainId: 137);
        var e = Assert.Throws<InvalidInputException>(() => Codec.Sign(payload, keys, KeyPath.Root));
        Assert.Equal("tx.chainId", e.Field);
        Assert.Equal(0, keys.SignatureCount);
        Assert.NotNull(new EvmCodec(ChainRegistry.Get("evm:137")).Decode(payload));
    }

    [Fact]
    public void Signing_needs_a_key_path_and_a_secp256k1_ring()
    {
        var payload = Payload(Recipient, "", 1);
        Assert.Equal("signerPath", Assert.Throws<InvalidInputException>(() =>
            Codec.Sign(payload, FixedKeyRing.Single("46".PadLeft(64, '4')), null)).Field);
        Assert.Equal("keys", Assert.Throws<InvalidInputException>(() =>
            Codec.Sign(payload, FixedKeyRing.SingleEd25519(new string('0', 64)), KeyPath.Root)).Field);
    }

    [Fact]
    public void Payload_text_accepts_0x_hex_only()
    {
        Assert.Equal([0xc0], Codec.ParsePayload("0xc0"));
        Assert.Equal([0xc0], Codec.ParsePayload(" C0 "));
        Assert.Equal("payload", Assert.Throws<InvalidInputException>(() => Codec.ParsePayload("0xzz")).Field);
        Assert.Equal("payload", Assert.Throws<InvalidInputException>(() => Codec.ParsePayload("0xc")).Field);
    }
}
