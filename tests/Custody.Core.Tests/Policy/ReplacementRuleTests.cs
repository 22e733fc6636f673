using Custody.Core.Chains;
using Custody.Core.Policy;
using static Custody.Core.Tests.Policy.PolicyFixtures;

namespace Custody.Core.Tests.Policy;

public class ReplacementRuleTests
{
    private const string Calldata = "1111111111111111111111111111111111111111111111111111111111111111";

    [Fact]
    public void Bitcoin_rbf_paying_the_same_outputs_with_other_change_and_inputs()
    {
        var first = BtcSpend(BtcOut(BtcFriend, 50_000), BtcOut(BtcOurs, 10_000, change: true));
        var bump = BtcSpend(BtcOut(BtcOurs, 9_000, change: true), BtcOut(BtcFriend, 50_000)) with
        {
            Fee = first.Fee + 1000,
            ReplayKeys = [.. first.ReplayKeys, "bb00000000000000000000000000000000000000000000000000000000000000:1"],
        };
        Assert.True(ReplacementRule.Allows(first, bump, out _));
    }

    [Theory]
    [InlineData(49_999, false)] // less to the payee
    [InlineData(50_000, true)]  // pays the payee, and adds a second payment
    public void Bitcoin_rbf_must_not_change_what_is_paid(long payee, bool extraOutput)
    {
        var first = BtcSpend(BtcOut(BtcFriend, 50_000), BtcOut(BtcOurs, 10_000, change: true));
        IntentOutput[] outputs = extraOutput ? [BtcOut(BtcFriend, payee), BtcOut(BtcStranger, 5_000)] : [BtcOut(BtcFriend, payee)];
        Assert.False(ReplacementRule.Allows(first, BtcSpend(outputs), out var reason));
        Assert.Contains("same non-change outputs", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Bitcoin_output_relabelled_as_change_is_not_the_same_payment()
    {
        var first = BtcSpend(BtcOut(BtcFriend, 50_000));
        var sneaky = BtcSpend(BtcOut(BtcFriend, 50_000, change: true), BtcOut(BtcStranger, 50_000));
        Assert.False(ReplacementRule.Allows(first, sneaky, out _));
    }

    [Fact]
    public void Evm_fee_bump_of_a_call_needs_the_same_calldata_digest()
    {
        var call = EthTransfer(EvmFriend, 0) with { Outputs = [], Call = new ContractCall(Router, "0x38ed1739", 0) };
        Assert.False(ReplacementRule.Allows(call, call with { Fee = 1 }, out var reason));
        Assert.Contains("calldata digest", reason, StringComparison.Ordinal);

        var withDigest = call with { CalldataDigest = Calldata };
        Assert.True(ReplacementRule.Allows(withDigest, withDigest with { Fee = 1 }, out _));
        Assert.False(ReplacementRule.Allows(withDigest, withDigest with { CalldataDigest = Calldata.Replace('1', '2') }, out _));
        Assert.False(ReplacementRule.Allows(withDigest, withDigest with { Call = call.Call! with { Selector = "0xa9059cbb" } }, out _));
    }

    [Fact]
    public void Evm_erc20_fee_bump_keeps_recipient_and_amount()
    {
        var first = Erc20Transfer(Usdc, EvmFriend, 100);
        Assert.True(ReplacementRule.Allows(first, first with { Fee = first.Fee * 2 }, out _));
        Assert.False(ReplacementRule.Allows(first, Erc20Transfer(Usdc, EvmDenied, 100), out _));
        Assert.False(ReplacementRule.Allows(first, Erc20Transfer(Usdc, EvmFriend, 101), out _));

        // the decoder now adds the calldata digest: equal digests pass, different ones do not, and a
        // prior signed before the digest existed can still be bumped (its outputs state the whole call)
        var withDigest = first with { CalldataDigest = Calldata };
        Assert.True(ReplacementRule.Allows(withDigest, withDigest with { Fee = first.Fee * 2 }, out _));
        Assert.True(ReplacementRule.Allows(first, withDigest with { Fee = first.Fee * 2 }, out _));
        Assert.False(ReplacementRule.Allows(withDigest, withDigest with { CalldataDigest = Calldata.Replace('1', '2') }, out var reason));
        Assert.Contains("calldata digest", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_chains_and_families_never_replace()
    {
        var first = EthTransfer(EvmFriend, 1);
        Assert.False(ReplacementRule.Allows(first, first with { Chain = ChainRegistry.Get("evm:137") }, out _));
        var solana = first with { Chain = ChainRegistry.Get("sol") };
        Assert.False(ReplacementRule.Allows(solana, solana, out var reason));
        Assert.Contains("Solana", reason, StringComparison.Ordinal);
    }
}
