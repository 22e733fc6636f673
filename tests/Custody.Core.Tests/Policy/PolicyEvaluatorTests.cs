using System.Numerics;
using Custody.Core.Chains;
using Custody.Core.Policy;
using static Custody.Core.Tests.Policy.PolicyFixtures;

namespace Custody.Core.Tests.Policy;

public class PolicyEvaluatorTests
{
    private static readonly BigInteger Two64 = BigInteger.One << 64;

    /// <summary>A row of the decision table: a request (and optionally a snapshot change) and what the policy must answer.</summary>
    public sealed record Case(SigningRequest Request, PolicyOutcome Outcome, string Rule, Func<PolicySnapshot, PolicySnapshot>? Snapshot = null,
        DateTimeOffset? Now = null);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["plain ETH transfer"] = new(Request(EthTransfer(EvmFriend, OneEth / 10)), PolicyOutcome.Allow, PolicyRules.Allowed),
        ["principal not listed"] = new(Request(EthTransfer(EvmFriend, 1), principal: "intruder"), PolicyOutcome.Deny, PolicyRules.Principal),
        ["chain not in policy"] = new(Request(EthTransfer(EvmFriend, 1) with { Chain = ChainRegistry.Get("evm:137") }, chain: "evm:137"), PolicyOutcome.Deny, PolicyRules.Chain),
        ["intent chain differs from request chain"] = new(Request(EthTransfer(EvmFriend, 1) with { Chain = ChainRegistry.Get("evm:137") }), PolicyOutcome.Deny, PolicyRules.Chain),
        ["intent chain alias evm:1 is eth"] = new(Request(EthTransfer(EvmFriend, 1) with { Chain = ChainRegistry.Get("evm:1") }), PolicyOutcome.Allow, PolicyRules.Allowed),
        ["unknown token"] = new(Request(Erc20Transfer(Evm(0x77), EvmFriend, 1)), PolicyOutcome.Deny, PolicyRules.Asset),
        ["token not an address"] = new(Request(Erc20Transfer("USDT", EvmFriend, 1)), PolicyOutcome.Deny, PolicyRules.Asset),
        ["raw signing off"] = new(Request(null), PolicyOutcome.Deny, PolicyRules.RawSigning),
        ["raw signing on for sol"] = new(Request(null, chain: "sol"), PolicyOutcome.Allow, PolicyRules.RawSigning),
        ["raw signing on but outside hours"] = new(Request(null, chain: "sol"), PolicyOutcome.Deny, PolicyRules.TimeWindow, Now: Monday10.AddHours(12)),
        ["a message's note that allowNotes lists"] = new(Request(null, chain: "sol") with { MessageNotes = ["message:listed"] }, PolicyOutcome.Allow, PolicyRules.RawSigning),
        ["a message's note that allowNotes does not list"] = new(Request(null, chain: "sol") with { MessageNotes = ["eip712:no-chain-id"] },
            PolicyOutcome.Deny, PolicyRules.Notes),
        ["raw signing off is decided before a message's notes"] = new(Request(null) with { MessageNotes = ["eip712:no-chain-id"] },
            PolicyOutcome.Deny, PolicyRules.RawSigning),
        ["a message's notes are decided before the time window"] = new(Request(null, chain: "sol") with { MessageNotes = ["eip712:no-chain-id"] },
            PolicyOutcome.Deny, PolicyRules.Notes, Now: Monday10.AddHours(12)),
        ["note not allowed"] = new(Request(EthTransfer(EvmFriend, 1, notes: ["contract-creation"])), PolicyOutcome.Deny, PolicyRules.Notes),
        ["note allowed"] = new(Request(EthTransfer(EvmFriend, 1, notes: ["erc20:approve"])), PolicyOutcome.Allow, PolicyRules.Allowed),
        ["positioned sighash note refused"] = new(Request(BtcSpend(BtcOut(BtcFriend, 1000)) with { Notes = ["input[1].sighash:NONE"] }, chain: "btc"),
            PolicyOutcome.Deny, PolicyRules.Notes),
        ["unresolved destination"] = new(Request(EthTransfer(null!, 1)), PolicyOutcome.Deny, PolicyRules.UnresolvedDestination),
        ["destination that is no address"] = new(Request(EthTransfer("0x1234", 1)), PolicyOutcome.Deny, PolicyRules.UnresolvedDestination),
        ["denied destination (lower-case in policy, checksummed in intent)"] = new(Request(EthTransfer(EvmDenied, 1)), PolicyOutcome.Deny, PolicyRules.DenyList),
        ["denied destination written lower-case by the decoder"] = new(Request(EthTransfer(EvmDenied.ToLowerInvariant(), 1)), PolicyOutcome.Deny, PolicyRules.DenyList),
        ["ERC-20 transfer to a denied address inside calldata"] = new(Request(Erc20Transfer(Usdc, EvmDenied, 5)), PolicyOutcome.Deny, PolicyRules.DenyList),
        ["deny-list wins over a limit (order)"] = new(Request(EthTransfer(EvmDenied, 5 * OneEth)), PolicyOutcome.Deny, PolicyRules.DenyList),
        ["BTC to allow-listed address"] = new(Request(BtcSpend(BtcOut(BtcFriend, 50_000), BtcOut(BtcOurs, 10_000, change: true)), chain: "btc"),
            PolicyOutcome.Allow, PolicyRules.Allowed),
        ["BTC 'change' that is not ours is a destination"] = new(Request(BtcSpend(BtcOut(BtcFriend, 50_000), BtcOut(BtcStranger, 10_000)), chain: "btc"),
            PolicyOutcome.Deny, PolicyRules.AllowList),
        ["BTC change is not judged as a destination"] = new(Request(BtcSpend(BtcOut(BtcStranger, 10_000, change: true)), chain: "btc"),
            PolicyOutcome.Allow, PolicyRules.Allowed),
        ["BTC non-change outputs are summed"] = new(Request(BtcSpend(BtcOut(BtcFriend, 60_000_000), BtcOut(BtcFriend, 40_000_001)), chain: "btc"),
            PolicyOutcome.Deny, PolicyRules.MaxPerTransaction),
        ["BTC change does not count towards the maximum"] = new(Request(BtcSpend(BtcOut(BtcFriend, 100_000_000), BtcOut(BtcOurs, 900_000_000, change: true)), chain: "btc"),
            PolicyOutcome.Allow, PolicyRules.Allowed),
        ["exactly the per-transaction maximum"] = new(Request(EthTransfer(EvmFriend, OneEth)), PolicyOutcome.NeedsApproval, PolicyRules.Approvals),
        ["one above the per-transaction maximum"] = new(Request(EthTransfer(EvmFriend, OneEth + 1)), PolicyOutcome.Deny, PolicyRules.MaxPerTransaction),
        ["2^64 wei would wrap to 0 in 64 bits"] = new(Request(EthTransfer(EvmFriend, Two64)), PolicyOutcome.Deny, PolicyRules.MaxPerTransaction),
        ["token amount past 64 bits exactly at its limit"] = new(Request(Erc20Transfer(Usdc, EvmFriend, Two64 + 5)), PolicyOutcome.Allow, PolicyRules.Allowed),
        ["token amount past 64 bits one over its limit"] = new(Request(Erc20Transfer(Usdc, EvmFriend, Two64 + 6)), PolicyOutcome.Deny, PolicyRules.MaxPerTransaction),
        ["two 2^255 outputs overflow 256 bits"] = new(Request(Erc20Transfer(Usdc, EvmFriend, BigInteger.One << 255) with
            { Outputs = [new(EvmFriend, Usdc, BigInteger.One << 255, false), new(EvmFriend, Usdc, BigInteger.One << 255, false)] }),
            PolicyOutcome.Deny, PolicyRules.MaxPerTransaction),
        ["2^256 in one transaction is refused even without a maximum"] = new(Request(new TransactionIntent(ChainRegistry.Get("sol"), [],
            [new(Sol(1), "native", (BigInteger.One << 256) - 1, false), new(Sol(2), "native", 1, false)], 5000, null, [], []), chain: "sol"),
            PolicyOutcome.Deny, PolicyRules.MaxPerTransaction),
        ["2^256 − 1 without a maximum passes"] = new(Request(new TransactionIntent(ChainRegistry.Get("sol"), [],
            [new(Sol(1), "native", (BigInteger.One << 256) - 2, false), new(Sol(2), "native", 1, false)], 5000, null, [], []), chain: "sol"),
            PolicyOutcome.Allow, PolicyRules.Allowed),
        ["a negative output cannot offset another"] = new(Request(EthTransfer(EvmFriend, 5 * OneEth) with
            { Outputs = [new(EvmFriend, "native", 5 * OneEth, false), new(Evm(0x12), "native", -5 * OneEth + 1, false)] }),
            PolicyOutcome.Deny, PolicyRules.MalformedIntent),
        ["a negative fee"] = new(Request(EthTransfer(EvmFriend, 1, fee: -1)), PolicyOutcome.Deny, PolicyRules.MalformedIntent),
        ["EVM fee above the cap"] = new(Request(EthTransfer(EvmFriend, 1, fee: 1_000_000_000_000_001)), PolicyOutcome.Deny, PolicyRules.Fee),
        ["EVM fee exactly the cap"] = new(Request(EthTransfer(EvmFriend, 1, fee: 1_000_000_000_000_000)), PolicyOutcome.Allow, PolicyRules.Allowed),
        ["BTC fee above the absolute cap"] = new(Request(BtcSpend(BtcOut(BtcFriend, 1000)) with { Fee = 50_001 }, chain: "btc"), PolicyOutcome.Deny, PolicyRules.Fee),
        // 20.5 sat/vB × 141 vB = 2890.5 sat: 2890 passes, 2891 does not.
        ["BTC fee rate just under the cap"] = new(Request(BtcSpend(BtcOut(BtcFriend, 1000)) with { Fee = 2890 }, chain: "btc"), PolicyOutcome.Allow, PolicyRules.Allowed),
        ["BTC fee rate just over the cap"] = new(Request(BtcSpend(BtcOut(BtcFriend, 1000)) with { Fee = 2891 }, chain: "btc"), PolicyOutcome.Deny, PolicyRules.FeeRate),
        ["BTC fee rate cap without vsize cannot be decided"] = new(Request(BtcSpend(BtcOut(BtcFriend, 1000)) with { VirtualSize = null }, chain: "btc"),
            PolicyOutcome.Failed, PolicyRules.FeeRate),
        ["allowed contract call"] = new(Request(EthTransfer(EvmFriend, 0) with { Outputs = [], Call = new ContractCall(Router.ToLowerInvariant(), "0x38ed1739", 0) }),
            PolicyOutcome.Allow, PolicyRules.Allowed),
        ["contract call with another selector"] = new(Request(EthTransfer(EvmFriend, 0) with { Outputs = [], Call = new ContractCall(Router, "0xa9059cbb", 0) }),
            PolicyOutcome.Deny, PolicyRules.ContractCall),
        ["call into an unlisted contract"] = new(Request(EthTransfer(EvmFriend, 0) with { Outputs = [], Call = new ContractCall(Evm(0x55), "0x38ed1739", 0) }),
            PolicyOutcome.Deny, PolicyRules.ContractCall),
        ["call into a denied contract"] = new(Request(EthTransfer(EvmFriend, 0) with { Outputs = [], Call = new ContractCall(EvmDenied, "0x38ed1739", 0) }),
            PolicyOutcome.Deny, PolicyRules.DenyList),
        ["call value not shown as an output still counts"] = new(Request(EthTransfer(EvmFriend, 0) with { Outputs = [], Call = new ContractCall(Router, "0x38ed1739", OneEth + 1) }),
            PolicyOutcome.Deny, PolicyRules.MaxPerTransaction),
        ["call value shown as an output counts once"] = new(Request(EthTransfer(Router, OneEth / 10) with { Call = new ContractCall(Router, "0x38ed1739", OneEth / 10) }),
            PolicyOutcome.Allow, PolicyRules.Allowed),
        ["saturday is outside the windows"] = new(Request(EthTransfer(EvmFriend, 1)), PolicyOutcome.Deny, PolicyRules.TimeWindow, Now: Monday10.AddDays(5)),
        ["20:00 is outside 8–20"] = new(Request(EthTransfer(EvmFriend, 1)), PolicyOutcome.Deny, PolicyRules.TimeWindow, Now: Monday10.AddHours(10)),
        ["19:59 is inside 8–20"] = new(Request(EthTransfer(EvmFriend, 1)), PolicyOutcome.Allow, PolicyRules.Allowed, Now: Monday10.AddHours(9).AddMinutes(59)),
        ["velocity sum exactly at the limit"] = new(Request(EthTransfer(EvmFriend, OneEth / 2)), PolicyOutcome.Allow, PolicyRules.Allowed,
            s => Used(s, TimeSpan.FromHours(1), OneEth + OneEth / 2, 1)),
        ["velocity sum one over the limit"] = new(Request(EthTransfer(EvmFriend, OneEth / 2)), PolicyOutcome.Deny, PolicyRules.Velocity,
            s => Used(s, TimeSpan.FromHours(1), OneEth + OneEth / 2 + 1, 1)),
        ["24h velocity window"] = new(Request(EthTransfer(EvmFriend, OneEth / 2)), PolicyOutcome.Deny, PolicyRules.Velocity,
            s => Used(s, TimeSpan.FromHours(24), 3 * OneEth - OneEth / 2 + 1, 1)),
        ["velocity count reached"] = new(Request(EthTransfer(EvmFriend, 1)), PolicyOutcome.Deny, PolicyRules.Velocity,
            s => Used(s, TimeSpan.FromHours(1), 0, 5)),
        ["velocity wins over approvals (order)"] = new(Request(EthTransfer(EvmFriend, OneEth)), PolicyOutcome.Deny, PolicyRules.Velocity,
            s => Used(s, TimeSpan.FromHours(1), OneEth + 1, 1)),
        ["velocity usage missing cannot be decided"] = new(Request(EthTransfer(EvmFriend, 1)), PolicyOutcome.Failed, PolicyRules.Velocity,
            s => s with { Velocity = new Dictionary<VelocityKey, VelocityTotal>() }),
        ["exactly the approval threshold needs none"] = new(Request(EthTransfer(EvmFriend, OneEth / 2)), PolicyOutcome.Allow, PolicyRules.Allowed),
        ["above the threshold needs 2 approvals"] = new(Request(EthTransfer(EvmFriend, OneEth / 2 + 1)), PolicyOutcome.NeedsApproval, PolicyRules.Approvals),
        ["one approval is not enough"] = new(Request(EthTransfer(EvmFriend, OneEth)), PolicyOutcome.NeedsApproval, PolicyRules.Approvals,
            s => s with { Approvals = new(["alice"], null, Monday10.AddHours(1)) }),
        ["two approvals pass"] = new(Request(EthTransfer(EvmFriend, OneEth)), PolicyOutcome.Allow, PolicyRules.Approvals,
            s => s with { Approvals = new(["alice", "bob"], null, Monday10.AddHours(1)) }),
        ["the requester's own approval does not count"] = new(Request(EthTransfer(EvmFriend, OneEth)), PolicyOutcome.NeedsApproval, PolicyRules.Approvals,
            s => s with { Approvals = new(["alice", "svc"], null, Monday10.AddHours(1)) }),
        ["a duplicate approval counts once"] = new(Request(EthTransfer(EvmFriend, OneEth)), PolicyOutcome.NeedsApproval, PolicyRules.Approvals,
            s => s with { Approvals = new(["alice", "alice"], null, Monday10.AddHours(1)) }),
        ["an approver the policy does not name does not count"] = new(Request(EthTransfer(EvmFriend, OneEth)), PolicyOutcome.NeedsApproval, PolicyRules.Approvals,
            s => s with { Approvals = new(["alice", "mallory"], null, Monday10.AddHours(1)) }),
        ["a rejection ends it"] = new(Request(EthTransfer(EvmFriend, OneEth)), PolicyOutcome.Deny, PolicyRules.Approvals,
            s => s with { Approvals = new(["alice", "bob"], "carol", Monday10.AddHours(1)) }),
        ["approvals past their expiry"] = new(Request(EthTransfer(EvmFriend, OneEth)), PolicyOutcome.Deny, PolicyRules.Approvals,
            s => s with { Approvals = new(["alice", "bob"], null, Monday10.AddMinutes(-1)) }),
        ["frozen beats everything"] = new(Request(EthTransfer(EvmDenied, 5 * OneEth), principal: "intruder"), PolicyOutcome.Frozen, PolicyRules.Frozen,
            s => s with { Freeze = new FreezeState(PolicyScope.Global, "ops", Monday10, "incident 42") }),
        ["same payload under a replay key is a retry"] = new(Request(EthTransfer(EvmFriend, 1)), PolicyOutcome.Allow, PolicyRules.Allowed,
            s => s with { Prior = [new PriorSigning(1, PayloadDigest("p1"), EthTransfer(EvmFriend, 1))] }),
        ["EVM fee bump with the same destination, value and data"] = new(Request(EthTransfer(EvmFriend, 1, fee: 900_000_000_000_000)), PolicyOutcome.Allow, PolicyRules.Allowed,
            s => s with { Prior = [new PriorSigning(1, PayloadDigest("p0"), EthTransfer(EvmFriend, 1))] }),
        ["EVM nonce reuse to another destination"] = new(Request(EthTransfer(Evm(0x12), 1)), PolicyOutcome.Deny, PolicyRules.Conflict,
            s => s with { Prior = [new PriorSigning(1, PayloadDigest("p0"), EthTransfer(EvmFriend, 1))] }),
        ["EVM nonce reuse with another value"] = new(Request(EthTransfer(EvmFriend, 2)), PolicyOutcome.Deny, PolicyRules.Conflict,
            s => s with { Prior = [new PriorSigning(1, PayloadDigest("p0"), EthTransfer(EvmFriend, 1))] }),
        ["conflict with an undecoded signing"] = new(Request(EthTransfer(EvmFriend, 1)), PolicyOutcome.Deny, PolicyRules.Conflict,
            s => s with { Prior = [new PriorSigning(1, PayloadDigest("p0"), null)] }),
        ["BTC outpoint reuse where replacement is off"] = new(Request(BtcSpend(BtcOut(BtcFriend, 1000)), chain: "btc"), PolicyOutcome.Deny, PolicyRules.Conflict,
            s => s with { Prior = [new PriorSigning(1, PayloadDigest("p0"), BtcSpend(BtcOut(BtcFriend, 1000)))] }),
    };

    private static PolicySnapshot Used(PolicySnapshot s, TimeSpan window, BigInteger sum, long count)
    {
        var velocity = new Dictionary<VelocityKey, VelocityTotal>(s.Velocity) { [new VelocityKey("eth", "native", window)] = new(sum, count) };
        return s with { Velocity = velocity };
    }

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Decision_table(string name)
    {
        var row = Cases[name];
        var policy = Reference();
        var snapshot = Quiet(policy, row.Request);
        if (row.Snapshot is { } change) snapshot = change(snapshot);
        var decision = PolicyEvaluator.Evaluate(policy, row.Request, snapshot, row.Now ?? Monday10);
        Assert.True(row.Outcome == decision.Outcome && row.Rule == decision.Rule,
            $"{name}: expected {row.Outcome}/{row.Rule}, got {decision.Outcome}/{decision.Rule}: {decision.Reason}");
        Assert.Equal(7, decision.PolicyVersion);
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
    }

    [Fact]
    public void No_policy_denies_with_version_zero()
    {
        var decision = PolicyEvaluator.Evaluate(null, Request(EthTransfer(EvmFriend, 1)), PolicySnapshot.Empty, Monday10);
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.NoPolicy, 0L), (decision.Outcome, decision.Rule, decision.PolicyVersion));
    }

    [Fact]
    public void Needs_approval_names_the_quorum_and_the_amount()
    {
        var policy = Reference();
        var request = Request(EthTransfer(EvmFriend, OneEth));
        var decision = PolicyEvaluator.Evaluate(policy, request, Quiet(policy, request), Monday10);
        Assert.Equal(2, decision.ApprovalsRequired);
        Assert.Contains("1000000000000000000 of native", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("needs 2 of", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unresolved_destination_passes_only_when_explicitly_allowed()
    {
        var json = ReferencePolicyJson.Replace("\"allowReplacement\": true,", "\"allowReplacement\": true, \"allowUnresolvedDestinations\": true,", StringComparison.Ordinal);
        var policy = new VersionedPolicy(8, PolicyScope.Global, PolicyJson.Parse(json), Monday10);
        var request = Request(EthTransfer(null!, 1));
        Assert.Equal(PolicyOutcome.Allow, PolicyEvaluator.Evaluate(policy, request, Quiet(policy, request), Monday10).Outcome);
        // still bounded by the limits
        var big = Request(EthTransfer(null!, OneEth + 1));
        Assert.Equal(PolicyRules.MaxPerTransaction, PolicyEvaluator.Evaluate(policy, big, Quiet(policy, big), Monday10).Rule);
    }

    [Fact]
    public void Spending_counts_non_change_outputs_per_asset()
    {
        var request = Request(BtcSpend(BtcOut(BtcFriend, 5), BtcOut(BtcFriend, 7), BtcOut(BtcOurs, 100, change: true)), chain: "btc");
        var spending = PolicyEvaluator.Spending(request);
        Assert.Equal(new BigInteger(12), Assert.Single(spending).Value);
    }

    [Fact]
    public void Velocity_keys_cover_every_window_of_the_spent_assets()
    {
        var policy = Reference();
        var keys = PolicyEvaluator.VelocityKeys(policy, Request(EthTransfer(EvmFriend, 1)));
        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromHours(24)], keys.Select(k => k.Window).Order());
        Assert.Empty(PolicyEvaluator.VelocityKeys(policy, Request(Erc20Transfer(Usdc, EvmFriend, 1))));
    }
}
