using System.Numerics;
using Custody.Core.Policy;
using static Custody.Core.Tests.Policy.PolicyFixtures;

namespace Custody.Core.Tests.Policy;

public class PolicyJsonTests
{
    [Fact]
    public void Reference_policy_is_parsed_and_normalised()
    {
        var policy = PolicyJson.Parse(ReferencePolicyJson);
        Assert.Equal(["svc"], policy.Principals);
        var eth = policy.Chains["eth"];
        Assert.Contains(EvmDenied, eth.DenyList); // lower-case in the document, EIP-55 after parsing
        Assert.Equal("0x38ed1739", Assert.Single(Assert.Single(eth.ContractCalls).Selectors));
        Assert.Equal(BigInteger.Parse("18446744073709551621"), eth.Assets[Usdc].MaxPerTransaction);
        Assert.Equal(2, eth.Assets["native"].Velocity.Count);
        var btc = policy.Chains["btc"];
        Assert.Equal(BtcFriend, Assert.Single(btc.AllowList!)); // upper-case bech32 in the document
        Assert.Equal(new BigInteger(20_500), btc.MaxFeeRateMilli);
        Assert.Null(eth.AllowList);
        Assert.Equal(2, policy.Approvals!.Required);
        Assert.Equal(TimeSpan.FromHours(1), policy.Approvals.Expiry);
    }

    [Fact]
    public void Canonical_form_is_stable_and_round_trips()
    {
        var canonical = PolicyJson.Write(PolicyJson.Parse(ReferencePolicyJson));
        Assert.Equal(canonical, PolicyJson.Write(PolicyJson.Parse(canonical)));
        Assert.Contains("\"maxFeeRate\": \"20.5\"", canonical, StringComparison.Ordinal);
        Assert.Contains("\"window\": \"1d\"", canonical, StringComparison.Ordinal);
        Assert.DoesNotContain("//", canonical, StringComparison.Ordinal);
        Assert.EndsWith("}\n", canonical, StringComparison.Ordinal);
    }

    [Fact]
    public void Chain_aliases_are_one_chain()
    {
        var policy = PolicyJson.Parse("""{ "schema": "custody-policy/v1", "principals": [], "chains": { "evm:1": {} } }""");
        Assert.True(policy.Chains.ContainsKey("eth"));
    }

    // A lone surrogate has no UTF-8 form, so the canonical document could not be written: it is
    // refused where it is read, as a JSON escape (how it gets past protobuf) or raw in a string.
    [Theory]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"description\": \"treasury \\ud800\",\n  \"principals\": [],\n  \"chains\": {}\n}", "line 3: description:")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [\"svc\\udc00\"],\n  \"chains\": {}\n}", "line 3: principals[0]:")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"eth\\ud800\\u0041\": {}\n  }\n}", "line 5: chains:")]
    public void A_lone_surrogate_is_refused_with_its_line(string document, string where)
    {
        var e = Assert.Throws<InvalidInputException>(() => PolicyJson.Parse(document));
        Assert.Equal("policy", e.Field);
        Assert.StartsWith(where, e.Reason, StringComparison.Ordinal);
        Assert.Contains("not valid Unicode", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_raw_lone_surrogate_in_the_text_is_refused()
    {
        var e = Assert.Throws<InvalidInputException>(() => PolicyJson.Parse("{ \"schema\": \"custody-policy/v1\", \"description\": \"\ud800\" }"));
        Assert.Equal("policy", e.Field);
        Assert.Contains("not valid Unicode", e.Reason, StringComparison.Ordinal);
    }

    // Each bad document, the line the error must name, and a fragment of the reason.
    [Theory]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {}\n  \"x\": 1\n}", 5, "'\"' is invalid after a value")]
    [InlineData("{\n  \"schema\": \"custody-policy/v2\",\n  \"principals\": [],\n  \"chains\": {}\n}", 2, "must be \"custody-policy/v1\"")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {},\n  \"principal\": [\"svc\"]\n}", 5, "unknown property")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"chains\": {}\n}", 1, "'principals' is required")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"eth\": {},\n    \"evm:1\": {}\n  }\n}", 6, "listed twice")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"btcoin\": {}\n  }\n}", 5, "not a known chain id")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"eth\": {\n      \"denyList\": [\n        \"0xABCDEF\"\n      ]\n    }\n  }\n}", 7, "address: an EVM address has 40 hex digits")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"btc\": { \"allowList\": [\"tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx\"] }\n  }\n}", 5, "address:")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"eth\": {\n      \"assets\": { \"native\": { \"maxPerTransaction\": \"1e18\" } }\n    }\n  }\n}", 6, "not a whole number")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"eth\": {\n      \"assets\": { \"native\": { \"maxPerTransaction\": -5 } }\n    }\n  }\n}", 6, "not a whole number")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"eth\": {\n      \"maxFeeRate\": \"10\"\n    }\n  }\n}", 6, "Bitcoin family only")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"eth\": {\n      \"assets\": { \"native\": {\n        \"approvalAbove\": \"5\" } }\n    }\n  }\n}", 7, "needs an 'approvals' section")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"approvals\": {\n    \"required\": 3,\n    \"approvers\": [\"a\", \"b\"], \"expiry\": \"1h\" },\n  \"chains\": {}\n}", 5, "names only 2 approvers")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"eth\": { \"assets\": { \"native\": { \"velocity\": [ { \"window\": \"1w\", \"maxCount\": 1 } ] } } }\n  }\n}", 5, "no unit")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"eth\": { \"assets\": { \"native\": { \"velocity\": [ { \"window\": \"1h\" } ] } } }\n  }\n}", 5, "needs maxAmount, maxCount or both")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {},\n  \"timeWindows\": [ { \"days\": [\"mon\"],\n    \"fromHour\": 18, \"toHour\": 8 } ]\n}", 6, "must be after fromHour")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {},\n  \"timeWindows\": [ { \"days\": [\"funday\"], \"fromHour\": 1, \"toHour\": 8 } ]\n}", 5, "not a day")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [\"svc\",\n \"svc\"],\n  \"chains\": {}\n}", 4, "listed twice")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {}\n}", 3, "appears twice")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"eth\": { \"contractCalls\": [ { \"contract\": \"0x1111111111111111111111111111111111111111\",\n      \"selectors\": [\"transfer\"] } ] }\n  }\n}", 6, "not a 4-byte selector")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"btc\": { \"assets\": { \"0x1111111111111111111111111111111111111111\": {} } }\n  }\n}", 5, "has only its native asset")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"eth\": { \"rawSigning\": \"yes\" }\n  }\n}", 5, "must be true or false")]
    [InlineData("", 1, "")]
    [InlineData("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {}\n}\n{}", 6, "after a single JSON value")]
    public void Errors_name_the_line_and_the_reason(string document, int line, string reason)
    {
        var e = Assert.Throws<InvalidInputException>(() => PolicyJson.Parse(document));
        Assert.Equal("policy", e.Field);
        Assert.StartsWith($"line {line}: ", e.Reason, StringComparison.Ordinal);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_name_the_path()
    {
        var e = Assert.Throws<InvalidInputException>(() => PolicyJson.Parse(
            """{ "schema": "custody-policy/v1", "principals": [], "chains": { "eth": { "assets": { "native": { "maxPerTransaction": "x" } } } } }"""));
        Assert.Contains("chains.eth.assets.native.maxPerTransaction", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_and_truncated_documents_fail_cleanly()
    {
        var random = new Random(7);
        var text = ReferencePolicyJson;
        for (var i = 0; i < 400; i++)
        {
            var mutated = i % 2 == 0
                ? text[..random.Next(text.Length)]
                : text.Remove(random.Next(text.Length - 1), 1).Insert(random.Next(text.Length - 2), ((char)random.Next(32, 127)).ToString());
            try
            {
                PolicyJson.Parse(mutated);
            }
            catch (InvalidInputException e)
            {
                Assert.Equal("policy", e.Field);
                Assert.Matches("^line [0-9]+: ", e.Reason);
            }
        }
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var deep = new string('[', 200) + new string(']', 200);
        var e = Assert.Throws<InvalidInputException>(() => PolicyJson.Parse(deep));
        Assert.Equal("policy", e.Field);
    }

    // The example of docs/policy.md, verbatim: the documentation must stay valid.
    private const string DocumentedExample = """
        {
          "schema": "custody-policy/v1",                 // required, exactly this
          "description": "Treasury hot wallet",          // optional
          "principals": ["payments-service"],            // who may sign with this wallet (authenticated caller names)

          "approvals": {                                 // required when any asset has approvalAbove
            "required": 2,                               // m
            "approvers": ["alice", "bob", "carol"],      // n: approver ids with registered keys
            "expiry": "24h"                              // how long a parked request can collect approvals
          },

          "timeWindows": [                               // optional; when present, signing only inside one of them (UTC)
            { "days": ["mon", "tue", "wed", "thu", "fri"], "fromHour": 8, "toHour": 20 }   // 08:00 ≤ t < 20:00
          ],

          "chains": {                                    // a chain not listed is refused; ids as in the registry
            "eth": {                                     // "eth" and "evm:1" are the same chain (listing both is an error)
              "rawSigning": false,                       // opaque digests / messages without a decoded transaction
              "allowReplacement": true,                  // EVM fee bump / Bitcoin RBF of an already signed transaction
              "allowUnresolvedDestinations": false,      // outputs whose destination the decoder could not resolve
              "allowNotes": ["erc20:approve"],           // decoder notes that do not refuse (see "Notes")
              "maxFee": "20000000000000000",             // native base units: EVM gas limit × max fee per gas
              "denyList": ["0x000000000000000000000000000000000000dEaD"],
              "allowList": ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"],   // omit for "anything not denied"; [] allows nothing
              "contractCalls": [
                { "contract": "0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D", "selectors": ["0x38ed1739"] }  // "*" = any selector
              ],
              "assets": {                                // "native" or the token contract; an asset not listed is refused
                "native": {
                  "maxPerTransaction": "5000000000000000000",
                  "approvalAbove": "1000000000000000000",
                  "velocity": [
                    { "window": "1h",  "maxAmount": "10000000000000000000", "maxCount": 20 },
                    { "window": "24h", "maxAmount": "50000000000000000000" }
                  ]
                },
                "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48": { "maxPerTransaction": "100000000000" }
              }
            },
            "btc": {
              "maxFee": "100000",                        // satoshi
              "maxFeeRate": "50.5",                      // sat/vB, up to 3 decimals; Bitcoin family only
              "allowList": ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"],
              "assets": { "native": { "maxPerTransaction": "100000000" } }
            }
          }
        }
        """;

    [Fact]
    public void Documented_example_is_valid()
    {
        var policy = PolicyJson.Parse(DocumentedExample);
        Assert.Equal(2, policy.Chains.Count);
        Assert.Equal(2, policy.Chains["eth"].Assets.Count);
        Assert.Equal(new BigInteger(50_500), policy.Chains["btc"].MaxFeeRateMilli);
    }
}
