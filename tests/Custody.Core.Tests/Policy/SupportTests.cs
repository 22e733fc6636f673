using System.Numerics;
using Custody.Core.Chains;
using Custody.Core.Policy;
using static Custody.Core.Tests.Policy.PolicyFixtures;

namespace Custody.Core.Tests.Policy;

public class SupportTests
{
    [Fact]
    public void Line_diff_shows_only_changed_lines()
    {
        var before = "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}\n";
        var after = "{\n  \"a\": 1,\n  \"b\": 20,\n  \"c\": 3,\n  \"d\": 4\n}\n";
        Assert.Equal("-   \"b\": 2,\n-   \"c\": 3\n+   \"b\": 20,\n+   \"c\": 3,\n+   \"d\": 4\n", LineDiff.Compute(before, after));
        Assert.Equal("-   \"b\": 2,\n+   \"b\": 3,\n", LineDiff.Compute("x\n  \"b\": 2,\ny\n", "x\n  \"b\": 3,\ny\n"));
        Assert.Equal("", LineDiff.Compute(before, before));
        Assert.Equal("+ x\n", LineDiff.Compute("", "x\n"));
    }

    [Fact]
    public void Line_diff_of_two_policy_versions()
    {
        var before = PolicyJson.Write(PolicyJson.Parse(ReferencePolicyJson));
        var after = PolicyJson.Write(PolicyJson.Parse(ReferencePolicyJson.Replace("\"maxFee\": \"50000\"", "\"maxFee\": \"60000\"", StringComparison.Ordinal)));
        Assert.Equal("-       \"maxFee\": \"50000\",\n+       \"maxFee\": \"60000\",\n", LineDiff.Compute(before, after));
    }

    [Fact]
    public void Intent_json_round_trips_and_digests_stably()
    {
        var intent = new TransactionIntent(ChainRegistry.Get("eth"), ["0xabc"], [new IntentOutput(null, "native", BigInteger.One << 200, false), new IntentOutput(EvmFriend, Usdc, 5, true)],
            123, new ContractCall(Router, "0x38ed1739", 7), ["1/0xabc/5"], ["erc20:approve", "vsize:10"]);
        var json = IntentJson.Write(intent);
        var back = IntentJson.Parse(json);
        Assert.Equal(json, IntentJson.Write(back));
        Assert.Equal(IntentJson.Digest(intent), IntentJson.Digest(back));
        Assert.NotEqual(IntentJson.Digest(intent), IntentJson.Digest(intent with { Fee = 124 }));
        Assert.Equal("intent", Assert.Throws<InvalidInputException>(() => IntentJson.Parse("{\"chain\":\"eth\"}")).Field);
    }

    [Fact]
    public void Request_digest_ignores_arrival_time_but_binds_everything_else()
    {
        var request = Request(EthTransfer(EvmFriend, 1));
        var digest = RequestDigest.Compute(request);
        Assert.Matches("^[0-9a-f]{64}$", digest);
        Assert.Equal(digest, RequestDigest.Compute(request with { ReceivedAt = request.ReceivedAt.AddHours(1) }));
        Assert.NotEqual(digest, RequestDigest.Compute(request with { RequestId = "r2" }));
        Assert.NotEqual(digest, RequestDigest.Compute(request with { Principal = "other" }));
        Assert.NotEqual(digest, RequestDigest.Compute(request with { PayloadDigest = PayloadDigest("p2") }));
        Assert.NotEqual(digest, RequestDigest.Compute(request with { Chain = ChainRegistry.Get("evm:137") }));
    }

    [Theory]
    [InlineData("input[1].sighash:NONE", "sighash:NONE")]
    [InlineData("output[12].op_return", "op_return")]
    [InlineData("erc20:approve", "erc20:approve")]
    [InlineData("Input[1].x", "Input[1].x")]
    [InlineData("input[x].y", "input[x].y")]
    public void Note_positions_are_ignored_when_matching(string note, string fact) =>
        Assert.Equal(fact, IntentNotes.WithoutPosition(note));

    [Fact]
    public void Virtual_size_in_the_canonical_json_must_be_single_and_positive()
    {
        var intent = BtcSpend(BtcOut(BtcFriend, 1));
        var json = IntentJson.Write(intent);
        Assert.Contains("\"notes\":[\"vsize:141\"]", json, StringComparison.Ordinal);
        Assert.Equal(141, IntentJson.Parse(json).VirtualSize);
        foreach (var notes in new[] { "[\"vsize:0\"]", "[\"vsize:10\",\"vsize:20\"]", "[\"vsize:-1\"]", "[\"vsize:x\"]" })
            Assert.Throws<InvalidInputException>(() => IntentJson.Parse(json.Replace("[\"vsize:141\"]", notes, StringComparison.Ordinal)));
    }
}
