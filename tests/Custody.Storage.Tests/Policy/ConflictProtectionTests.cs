using Custody.Core.Chains;
using Custody.Core.Policy;
using static Custody.Storage.Tests.Policy.PolicyStoreFixture;

namespace Custody.Storage.Tests.Policy;

public class ConflictProtectionTests
{
    private static readonly string Friend = Evm(0x11);
    private static readonly string Other = Evm(0x12);

    [Fact]
    public async Task A_different_transaction_on_a_signed_nonce_is_refused()
    {
        await using var fixture = await CreateAsync(PolicyText(allowReplacement: false));
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 5, nonce: 7), "a"), default)).IsAllowed);
        var conflict = await fixture.Gate.AdmitAsync(fixture.Request(Eth(Other, 5, nonce: 7), "b"), default);
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.Conflict), (conflict.Outcome, conflict.Rule));
        Assert.Contains("1/0xabc/7", conflict.Reason, StringComparison.Ordinal);
        // a fee bump is a different transaction too, and this policy allows no replacement
        Assert.Equal(PolicyRules.Conflict, (await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 5, 7, fee: 50_000), "c"), default)).Rule);
        // the same payload again, under another request id, is not a conflict
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 5, nonce: 7), "a-again"), default)).IsAllowed);
        // another nonce is free
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Other, 5, nonce: 8), "d"), default)).IsAllowed);
    }

    [Fact]
    public async Task Parallel_conflicting_requests_admit_exactly_one()
    {
        await using var fixture = await CreateAsync(PolicyText(allowReplacement: false));
        var gates = new[] { fixture.Gate, fixture.SecondGate() };
        var decisions = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            gates[i % 2].AdmitAsync(fixture.Request(Eth(Evm((byte)(i + 1)), 1, nonce: 3), $"r{i}"), CancellationToken.None))));
        Assert.Equal(1, decisions.Count(d => d.IsAllowed));
        Assert.Equal(63, decisions.Count(d => d.Rule == PolicyRules.Conflict));
    }

    [Fact]
    public async Task Evm_fee_bump_is_allowed_when_the_policy_allows_replacement_and_counts_once()
    {
        // 1000 per hour: 600 then its fee bump (same 600) must both pass, and only one 600 counts
        await using var fixture = await CreateAsync(PolicyText());
        var first = fixture.Request(Eth(Friend, 600, 7), "first");
        Assert.True((await fixture.Gate.AdmitAsync(first, default)).IsAllowed);
        var bump = fixture.Request(Eth(Friend, 600, 7, fee: 42_000), "bump");
        var decision = await fixture.Gate.AdmitAsync(bump, default);
        Assert.True(decision.IsAllowed, decision.Reason);
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 400, 8), "next"), default)).IsAllowed);

        // a replacement that pays someone else is still a conflict
        var hijack = await fixture.Gate.AdmitAsync(fixture.Request(Eth(Other, 600, 7, fee: 90_000), "hijack"), default);
        Assert.Equal(PolicyRules.Conflict, hijack.Rule);
        Assert.Contains("same destination and value", hijack.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evm_fee_bump_of_a_decoded_contract_call_survives_storage_and_other_calldata_does_not()
    {
        // the remembered intent is read back from SQLite: its calldata digest must come back with it
        var router = Evm(0xB0);
        var policy = PolicyText().Replace("\"eth\": { \"allowReplacement\": true,",
            $"\"eth\": {{ \"allowReplacement\": true, \"contractCalls\": [ {{ \"contract\": \"{router}\", \"selectors\": [\"0x38ed1739\"] }} ],",
            StringComparison.Ordinal);
        Assert.Contains("contractCalls", policy, StringComparison.Ordinal);
        await using var fixture = await CreateAsync(policy);
        var codec = TransactionCodecs.For(ChainRegistry.Get("eth"));
        TransactionIntent Swap(string amountOutMin, long maxFeePerGas) => codec.Decode(new Custody.Core.Chains.Evm.EvmTransaction
        {
            Type = Custody.Core.Chains.Evm.EvmTransactionType.DynamicFee,
            ChainId = 1,
            Nonce = 9,
            MaxPriorityFeePerGas = 1,
            MaxFeePerGas = maxFeePerGas,
            GasLimit = 200_000,
            To = Custody.Core.Chains.Evm.EvmAddress.Parse(router),
            Data = Convert.FromHexString("38ed1739" + "0f4240".PadLeft(64, '0') + amountOutMin.PadLeft(64, '0')),
        }.EncodeUnsigned());

        var first = await fixture.Gate.AdmitAsync(fixture.Request(Swap("0186a0", 10), "first"), default);
        Assert.True(first.IsAllowed, first.Reason);
        var bump = await fixture.Gate.AdmitAsync(fixture.Request(Swap("0186a0", 20), "bump"), default);
        Assert.True(bump.IsAllowed, bump.Reason);
        var other = await fixture.Gate.AdmitAsync(fixture.Request(Swap("01", 30), "other"), default);
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.Conflict), (other.Outcome, other.Rule));
        Assert.Contains("calldata digest", other.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Releasing_a_bump_restores_the_original_in_the_velocity_ledger()
    {
        await using var fixture = await CreateAsync(PolicyText());
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 600, 7), "first"), default)).IsAllowed);
        var bump = fixture.Request(Eth(Friend, 600, 7, fee: 42_000), "bump");
        Assert.True((await fixture.Gate.AdmitAsync(bump, default)).IsAllowed);
        await fixture.Gate.ReleaseAsync(bump, default); // the bump was never signed: the original counts again
        Assert.Equal(PolicyRules.Velocity, (await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 401, 8), "next"), default)).Rule);
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 400, 8), "next2"), default)).IsAllowed);
    }

    [Fact]
    public async Task Released_keys_are_free_again()
    {
        await using var fixture = await CreateAsync(PolicyText(allowReplacement: false));
        var first = fixture.Request(Eth(Friend, 5, 7), "a");
        Assert.True((await fixture.Gate.AdmitAsync(first, default)).IsAllowed);
        await fixture.Gate.ReleaseAsync(first, default);
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Other, 5, 7), "b"), default)).IsAllowed);
        // and the released request cannot come back over the new holder
        Assert.Equal(PolicyRules.Conflict, (await fixture.Gate.AdmitAsync(first, default)).Rule);
    }

    [Fact]
    public async Task Bitcoin_outpoint_double_spend_is_refused_and_keys_are_per_wallet_and_chain()
    {
        await using var fixture = await CreateAsync(PolicyText());
        const string outpoint = "aa00000000000000000000000000000000000000000000000000000000000000:0";
        var pay = BtcSpend(outpoint, new IntentOutput(Btc(0x21), "native", 50_000, false));
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(pay, "a", chain: "btc"), default)).IsAllowed);
        var doubleSpend = BtcSpend(outpoint, new IntentOutput(Btc(0x22), "native", 50_000, false));
        Assert.Equal(PolicyRules.Conflict, (await fixture.Gate.AdmitAsync(fixture.Request(doubleSpend, "b", chain: "btc"), default)).Rule);
        // RBF paying the same output: btc in this policy has no allowReplacement
        var rbf = pay with { Fee = 5_000 };
        Assert.Equal(PolicyRules.Conflict, (await fixture.Gate.AdmitAsync(fixture.Request(rbf, "c", chain: "btc"), default)).Rule);

        await fixture.Administration.PublishAsync(PolicyScope.Wallet("w2"), PolicyText(), "root", Admin, default);
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(doubleSpend, "b", chain: "btc", wallet: "w2"), default)).IsAllowed);
    }

    [Fact]
    public async Task Bitcoin_rbf_paying_the_same_outputs_is_allowed_when_the_policy_allows_it()
    {
        var policy = PolicyText().Replace("\"btc\": { \"assets\"", "\"btc\": { \"allowReplacement\": true, \"assets\"", StringComparison.Ordinal);
        await using var fixture = await CreateAsync(policy);
        const string outpoint = "aa00000000000000000000000000000000000000000000000000000000000000:0";
        var pay = BtcSpend(outpoint, new IntentOutput(Btc(0x21), "native", 50_000, false), new IntentOutput(Btc(0x01), "native", 9_000, true));
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(pay, "a", chain: "btc"), default)).IsAllowed);
        var rbf = BtcSpend(outpoint, new IntentOutput(Btc(0x21), "native", 50_000, false), new IntentOutput(Btc(0x01), "native", 8_000, true)) with { Fee = 2_000 };
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(rbf, "b", chain: "btc"), default)).IsAllowed);
        var redirect = BtcSpend(outpoint, new IntentOutput(Btc(0x23), "native", 50_000, false)) with { Fee = 3_000 };
        Assert.Equal(PolicyRules.Conflict, (await fixture.Gate.AdmitAsync(fixture.Request(redirect, "c", chain: "btc"), default)).Rule);
    }
}
