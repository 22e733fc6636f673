using System.Numerics;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Evm;
using Custody.Core.Hd;
using Custody.Core.Policy;
using Custody.Core.Tests.Chains.Bitcoin;
using Custody.Core.Tests.TestKit;
using static Custody.Core.Tests.Policy.PolicyFixtures;

namespace Custody.Core.Tests.Policy;

/// <summary>The policy judging intents produced by the real decoders, not hand-built ones.</summary>
public class DecodedIntentPolicyTests
{
    private static byte[] EvmPayload(string to, string data, BigInteger value, ulong nonce = 5, ulong chainId = 1, long maxFeePerGas = 1_000_000_000) =>
        new EvmTransaction
        {
            Type = EvmTransactionType.DynamicFee,
            ChainId = chainId,
            Nonce = nonce,
            MaxPriorityFeePerGas = 1,
            MaxFeePerGas = maxFeePerGas,
            GasLimit = 60_000,
            To = EvmAddress.Parse(to),
            Value = value,
            Data = Convert.FromHexString(data),
        }.EncodeUnsigned();

    private static string Erc20Transfer(string recipient, BigInteger amount) =>
        "a9059cbb" + recipient[2..].PadLeft(64, '0') + amount.ToString("x").TrimStart('0').PadLeft(64, '0');

    private static PolicyDecision Judge(TransactionIntent intent, string chain = "eth", PolicySnapshot? snapshot = null, VersionedPolicy? policy = null)
    {
        policy ??= Reference();
        var request = Request(intent, chain);
        return PolicyEvaluator.Evaluate(policy, request, snapshot ?? Quiet(policy, request), Monday10);
    }

    private static TransactionIntent DecodeEvm(byte[] payload, string chain = "eth") => ChainRegistry.Get(chain).Codec().Decode(payload);

    [Fact]
    public void Erc20_transfer_to_a_denied_address_inside_calldata_is_refused()
    {
        var intent = DecodeEvm(EvmPayload(Usdc, Erc20Transfer(EvmDenied, 1_000_000), 0));
        var decision = Judge(intent);
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.DenyList), (decision.Outcome, decision.Rule));
        Assert.Contains(EvmDenied, decision.Reason, StringComparison.Ordinal);

        Assert.True(Judge(DecodeEvm(EvmPayload(Usdc, Erc20Transfer(EvmFriend, 1_000_000), 0))).IsAllowed);
    }

    [Fact]
    public void Erc20_amounts_past_64_bits_from_calldata_meet_the_inclusive_limit()
    {
        var limit = (BigInteger.One << 64) + 5; // the reference policy's USDC maximum
        Assert.True(Judge(DecodeEvm(EvmPayload(Usdc, Erc20Transfer(EvmFriend, limit), 0))).IsAllowed);
        Assert.Equal(PolicyRules.MaxPerTransaction, Judge(DecodeEvm(EvmPayload(Usdc, Erc20Transfer(EvmFriend, limit + 1), 0))).Rule);
        // 2^64 + 2^64: a 64-bit sum would wrap to a small number
        Assert.Equal(PolicyRules.MaxPerTransaction, Judge(DecodeEvm(EvmPayload(Usdc, Erc20Transfer(EvmFriend, BigInteger.One << 65), 0))).Rule);
    }

    [Fact]
    public void Unlimited_erc20_approve_needs_the_note_and_still_meets_the_maximum()
    {
        var approve = DecodeEvm(EvmPayload(Usdc, "095ea7b3" + EvmFriend[2..].PadLeft(64, '0') + new string('f', 64), 0));
        Assert.Contains("erc20:approve", approve.Notes);
        Assert.Equal(PolicyRules.MaxPerTransaction, Judge(approve).Rule); // allowed note, but 2^256 − 1 of the token
    }

    [Fact]
    public void A_transaction_for_another_chain_id_is_refused()
    {
        var polygon = DecodeEvm(EvmPayload(EvmFriend, "", 1, chainId: 137), chain: "evm:137");
        var decision = Judge(polygon, chain: "eth");
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.Chain), (decision.Outcome, decision.Rule));
        // and the eth decoder itself refuses a chain id 137 payload
        Assert.Equal("tx.chainId", Assert.Throws<InvalidInputException>(() => DecodeEvm(EvmPayload(EvmFriend, "", 1, chainId: 137))).Field);
    }

    [Fact]
    public void Evm_fee_bump_of_a_decoded_transfer_is_a_replacement_and_a_redirect_is_not()
    {
        var first = DecodeEvm(EvmPayload(EvmFriend, "", 1000));
        var bump = DecodeEvm(EvmPayload(EvmFriend, "", 1000, maxFeePerGas: 2_000_000_000));
        var redirect = DecodeEvm(EvmPayload(Evm(0x12), "", 1000, maxFeePerGas: 2_000_000_000));
        Assert.Equal(first.ReplayKeys, bump.ReplayKeys);
        var prior = PolicySnapshot.Empty with { Prior = [new PriorSigning(1, PayloadDigest("first"), first)] };
        var policy = Reference();
        Assert.True(Judge(bump, snapshot: Quiet(policy, Request(bump)) with { Prior = prior.Prior }).IsAllowed);
        Assert.Equal(PolicyRules.Conflict, Judge(redirect, snapshot: Quiet(policy, Request(redirect)) with { Prior = prior.Prior }).Rule);
    }

    [Fact]
    public void Evm_fee_bump_of_a_decoded_contract_call_is_a_replacement_and_other_calldata_is_not()
    {
        // swapExactTokensForTokens(amountIn, amountOutMin, path, to, deadline) on the allowed router
        static string Swap(string amountOutMin) => "38ed1739" + "0f4240".PadLeft(64, '0') + amountOutMin.PadLeft(64, '0')
            + "a0".PadLeft(64, '0') + EvmFriend[2..].PadLeft(64, '0') + "ffffffff".PadLeft(64, '0') + "00".PadLeft(64, '0');
        var first = DecodeEvm(EvmPayload(Router, Swap("0186a0"), 0));
        var bump = DecodeEvm(EvmPayload(Router, Swap("0186a0"), 0, maxFeePerGas: 2_000_000_000));
        var otherData = DecodeEvm(EvmPayload(Router, Swap("01"), 0, maxFeePerGas: 2_000_000_000)); // same selector, worse price
        Assert.NotNull(first.Call);
        Assert.Equal(first.Call, otherData.Call); // contract and selector alone cannot tell them apart
        Assert.NotNull(first.CalldataDigest);
        Assert.Equal(first.CalldataDigest, bump.CalldataDigest);
        Assert.NotEqual(first.CalldataDigest, otherData.CalldataDigest);

        var policy = Reference();
        Assert.True(Judge(first).IsAllowed);
        PriorSigning[] prior = [new PriorSigning(1, PayloadDigest("first"), first)];
        Assert.True(Judge(bump, snapshot: Quiet(policy, Request(bump)) with { Prior = prior }).IsAllowed);
        var conflict = Judge(otherData, snapshot: Quiet(policy, Request(otherData)) with { Prior = prior });
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.Conflict), (conflict.Outcome, conflict.Rule));
        Assert.False(ReplacementRule.Allows(first, otherData, out var reason));
        Assert.Contains("calldata digest", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bitcoin_change_output_that_is_not_ours_is_judged_as_a_destination()
    {
        var chain = ChainRegistry.Get("btc");
        // the reference policy without its fee-rate cap (judged on its own below)
        var policy = new VersionedPolicy(9, PolicyScope.Wallet("w1"),
            PolicyJson.Parse(ReferencePolicyJson.Replace("\"maxFeeRate\": \"20.5\",", "", StringComparison.Ordinal)), Monday10);
        using var keys = FixedKeyRing.Deterministic(7);
        var friendScript = BitcoinAddress.ToScriptPubKey(BtcFriend, BitcoinNetwork.Mainnet);
        var spend = KeyPath.Parse("m/84'/0'/0'/0/0");
        var change = KeyPath.Parse("m/84'/0'/0'/1/0");

        var honest = new TestPsbtBuilder(keys).Spend(BitcoinAddressKind.P2wpkh, spend, 100_000)
            .Pay(friendScript, 60_000).Change(BitcoinAddressKind.P2wpkh, change, 39_000).Build();
        var honestIntent = chain.Codec().Decode(honest.ToBytes());
        Assert.True(honestIntent.Outputs[1].IsChange);
        Assert.True(Judge(honestIntent, "btc", policy: policy).IsAllowed);

        // the same amounts, but the "change" pays a stranger (no derivation): a payment, refused by the allow-list
        var sneaky = new TestPsbtBuilder(keys).Spend(BitcoinAddressKind.P2wpkh, spend, 100_000)
            .Pay(friendScript, 60_000).Pay(BitcoinAddress.ToScriptPubKey(BtcStranger, BitcoinNetwork.Mainnet), 39_000).Build();
        var sneakyIntent = chain.Codec().Decode(sneaky.ToBytes());
        Assert.False(sneakyIntent.Outputs[1].IsChange);
        var decision = Judge(sneakyIntent, "btc", policy: policy);
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.AllowList), (decision.Outcome, decision.Rule));
        Assert.Contains(BtcStranger, decision.Reason, StringComparison.Ordinal);

    }

    [Fact]
    public void A_decoded_psbt_is_judged_by_the_fee_rate_cap_and_an_unbounded_one_fails_closed()
    {
        var chain = ChainRegistry.Get("btc"); // the reference policy caps btc at 20.5 sat/vB and 50 000 sat
        using var keys = FixedKeyRing.Deterministic(7);
        var friendScript = BitcoinAddress.ToScriptPubKey(BtcFriend, BitcoinNetwork.Mainnet);
        TransactionIntent Spend(long fee, Func<TestPsbtBuilder, TestPsbtBuilder>? more = null)
        {
            var builder = new TestPsbtBuilder(keys).Spend(BitcoinAddressKind.P2wpkh, KeyPath.Parse("m/84'/0'/0'/0/0"), 100_000);
            builder = more is null ? builder : more(builder);
            var psbt = builder.Pay(friendScript, 100_000 - fee + (more is null ? 0 : 10_000)).Build();
            return chain.Codec().Decode(psbt.ToBytes());
        }

        var modest = Spend(1_000);
        var vsize = Assert.IsType<long>(modest.VirtualSize);
        Assert.True(Judge(modest, "btc").IsAllowed);

        // exactly at the cap passes, one satoshi more is refused (fee × 1000 ≤ 20 500 × vsize)
        var atCap = vsize * 20_500 / 1000;
        Assert.True(Judge(Spend(atCap), "btc").IsAllowed);
        var decision = Judge(Spend(atCap + 1), "btc");
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.FeeRate), (decision.Outcome, decision.Rule));

        // an input whose final size cannot be bounded (P2WSH): no vsize, so the cap cannot be judged — fail closed
        // (with its full previous transaction, as requireFullPrevTx asks by default)
        var unbounded = Spend(1_000, b =>
        {
            var previous = b.Funding(new Custody.Core.Chains.Bitcoin.Transactions.TxOutput(10_000, BitcoinScript.Witness(0, new byte[32])));
            return b.SpendRaw(new Custody.Core.Chains.Bitcoin.Transactions.OutPoint(previous.TxHash, 1),
                i => i.WithNonWitnessUtxo(previous).WithWitnessUtxo(previous.Outputs[1]));
        });
        Assert.Null(unbounded.VirtualSize);
        var failed = Judge(unbounded, "btc");
        Assert.Equal((PolicyOutcome.Failed, PolicyRules.FeeRate), (failed.Outcome, failed.Rule));
    }
}

/// <summary>requireFullPrevTx (the segwit v0 fee attack): on by default for Bitcoin-family chains, refusing with the input's name.</summary>
public class RequireFullPrevTxTests
{
    private static TransactionIntent Decode(Func<TestPsbtBuilder, TestPsbtBuilder> inputs)
    {
        using var keys = FixedKeyRing.Deterministic(7);
        var builder = inputs(new TestPsbtBuilder(keys).Spend(BitcoinAddressKind.P2wpkh, KeyPath.Parse("m/84'/0'/0'/0/0"), 100_000));
        var psbt = builder.Pay(BitcoinAddress.ToScriptPubKey(BtcFriend, BitcoinNetwork.Mainnet), 104_000).Build(); // fee 1 000 sat
        return ChainRegistry.Get("btc").Codec().Decode(psbt.ToBytes());
    }

    private static TestPsbtBuilder WitnessUtxoOnly(TestPsbtBuilder builder, BitcoinAddressKind kind)
    {
        using var keys = FixedKeyRing.Deterministic(8);
        var pub = keys.GetPublicKey(KeyPath.Parse("m/84'/0'/0'/0/1"));
        var previous = builder.Funding(new Custody.Core.Chains.Bitcoin.Transactions.TxOutput(5_000, TestPsbtBuilder.ScriptFor(kind, pub)));
        return builder.SpendRaw(new Custody.Core.Chains.Bitcoin.Transactions.OutPoint(previous.TxHash, 1), i =>
        {
            i = i.WithWitnessUtxo(previous.Outputs[1]);
            return kind == BitcoinAddressKind.P2shP2wpkh ? i.WithRedeemScript(BitcoinScript.P2wpkh(Custody.Core.Crypto.Hashes.Hash160(pub))) : i;
        });
    }

    private static PolicyDecision Judge(TransactionIntent intent, string? btcExtra = null)
    {
        var json = ReferencePolicyJson;
        if (btcExtra is not null) json = json.Replace("\"maxFee\": \"50000\",", "\"maxFee\": \"50000\", " + btcExtra, StringComparison.Ordinal);
        var policy = new VersionedPolicy(9, PolicyScope.Wallet("w1"), PolicyJson.Parse(json), Monday10.AddDays(-1));
        var request = Request(intent, "btc");
        return PolicyEvaluator.Evaluate(policy, request, Quiet(policy, request), Monday10);
    }

    [Theory]
    [InlineData(BitcoinAddressKind.P2wpkh)]
    [InlineData(BitcoinAddressKind.P2shP2wpkh)]
    public void A_segwit_v0_input_with_only_witness_utxo_is_refused_by_default_naming_it(BitcoinAddressKind kind)
    {
        var intent = Decode(b => WitnessUtxoOnly(b, kind));
        Assert.Equal(["input[1]"], intent.WitnessUtxoOnlyInputs);
        var decision = Judge(intent);
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.FullPrevTx), (decision.Outcome, decision.Rule));
        Assert.StartsWith("input[1] ", decision.Reason, StringComparison.Ordinal);

        // A policy that turns it off judges the transaction as before.
        var off = Judge(intent, "\"requireFullPrevTx\": false,");
        Assert.True(off.IsAllowed, off.Rule + ": " + off.Reason);
        // The typed field survives the canonical intent JSON (approvals, conflict store).
        Assert.Equal(["input[1]"], IntentJson.Parse(IntentJson.Write(intent)).WitnessUtxoOnlyInputs);
    }

    [Fact]
    public void Full_previous_transactions_and_taproot_inputs_pass()
    {
        var intent = Decode(b => WitnessUtxoOnly(b, BitcoinAddressKind.P2tr)); // BIP341 signs every input's amount
        Assert.Empty(intent.WitnessUtxoOnlyInputs);
        var decision = Judge(intent);
        Assert.True(decision.IsAllowed, decision.Rule + ": " + decision.Reason);
        Assert.DoesNotContain("witnessUtxoOnlyInputs", IntentJson.Write(intent), StringComparison.Ordinal); // digests of such intents unchanged
    }

    [Fact]
    public void The_switch_is_written_only_when_off_and_refused_outside_the_bitcoin_family()
    {
        var reference = PolicyJson.Parse(ReferencePolicyJson);
        Assert.True(reference.Chains["btc"].RequireFullPrevTx);
        Assert.False(reference.Chains["eth"].RequireFullPrevTx);
        Assert.DoesNotContain("requireFullPrevTx", PolicyJson.Write(reference), StringComparison.Ordinal); // old documents keep their canonical form
        var off = PolicyJson.Parse(ReferencePolicyJson.Replace("\"maxFee\": \"50000\",", "\"maxFee\": \"50000\", \"requireFullPrevTx\": false,", StringComparison.Ordinal));
        Assert.False(off.Chains["btc"].RequireFullPrevTx);
        Assert.False(PolicyJson.Parse(PolicyJson.Write(off)).Chains["btc"].RequireFullPrevTx);
        var e = Assert.Throws<InvalidInputException>(() => PolicyJson.Parse(ReferencePolicyJson.Replace("\"allowReplacement\": true,", "\"allowReplacement\": true, \"requireFullPrevTx\": true,", StringComparison.Ordinal)));
        Assert.Contains("requireFullPrevTx applies to the Bitcoin family only", e.Message, StringComparison.Ordinal);
    }
}
