using System.Numerics;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Evm;
using Custody.Core.Chains.Solana;
using Custody.Core.Chains.Tron;
using Custody.Core.Policy;

namespace Custody.Core.Tests.Policy;

/// <summary>Addresses, a reference policy and request builders for the policy tests.</summary>
internal static class PolicyFixtures
{
    public static readonly DateTimeOffset Monday10 = new(2025, 6, 2, 10, 0, 0, TimeSpan.Zero);

    public static string Evm(byte n) => EvmAddress.ToChecksumText(Enumerable.Repeat(n, 20).ToArray());
    public static string Btc(byte n) => Address(BitcoinScript.P2wpkh(Enumerable.Repeat(n, 20).ToArray()), BitcoinNetwork.Mainnet);
    public static string BtcLegacy(byte n) => Address(BitcoinScript.P2pkh(Enumerable.Repeat(n, 20).ToArray()), BitcoinNetwork.Mainnet);
    public static string Tron(byte n) => TronAddress.ToText([0x41, .. Enumerable.Repeat(n, 20)]);
    public static string Sol(byte n) => SolanaAddress.ToText(Enumerable.Repeat(n, 32).ToArray());

    private static string Address(byte[] script, BitcoinNetwork network) =>
        BitcoinAddress.TryFromScriptPubKey(script, network, out var address) ? address : throw new InvalidOperationException();

    public static readonly string Usdc = Evm(0xA0);
    public static readonly string Router = Evm(0xB0);
    public static readonly string EvmDenied = Evm(0xDD);
    public static readonly string EvmFriend = Evm(0x11);
    public static readonly string BtcFriend = Btc(0x21);
    public static readonly string BtcStranger = Btc(0x99);
    public static readonly string BtcOurs = Btc(0x01);

    public const long OneEth = 1_000_000_000_000_000_000;

    /// <summary>The reference policy: ETH with limits, velocity and approvals; BTC with an allow-list and fee caps.</summary>
    public static string ReferencePolicyJson => $$"""
        {
          // comments are allowed
          "schema": "custody-policy/v1",
          "description": "reference policy of the tests",
          "principals": ["svc"],
          "approvals": { "required": 2, "approvers": ["alice", "bob", "carol", "svc"], "expiry": "1h" },
          "timeWindows": [ { "days": ["mon", "tue", "wed", "thu", "fri"], "fromHour": 8, "toHour": 20 } ],
          "chains": {
            "eth": {
              "allowReplacement": true,
              "allowNotes": ["erc20:approve"],
              "denyList": ["{{EvmDenied.ToLowerInvariant()}}"],
              "maxFee": "1000000000000000",
              "contractCalls": [ { "contract": "{{Router}}", "selectors": ["0x38ED1739"] } ],
              "assets": {
                "native": {
                  "maxPerTransaction": "1000000000000000000",
                  "approvalAbove": "500000000000000000",
                  "velocity": [ { "window": "1h", "maxAmount": "2000000000000000000", "maxCount": 5 }, { "window": "24h", "maxAmount": "3000000000000000000" } ]
                },
                "{{Usdc}}": { "maxPerTransaction": "18446744073709551621" }
              }
            },
            "btc": {
              "maxFee": "50000",
              "maxFeeRate": "20.5",
              "allowList": ["{{BtcFriend.ToUpperInvariant()}}"],
              "assets": { "native": { "maxPerTransaction": "100000000" } }
            },
            "sol": { "rawSigning": true, "allowNotes": ["message:listed"], "assets": { "native": {} } }
          }
        }
        """;

    public static VersionedPolicy Reference(long version = 7) =>
        new(version, PolicyScope.Wallet("w1"), PolicyJson.Parse(ReferencePolicyJson), Monday10.AddDays(-1));

    public static TransactionIntent EthTransfer(string to, BigInteger amount, BigInteger? fee = null, string? nonceKey = "1/0xabc/5",
        string[]? notes = null) =>
        new(ChainRegistry.Get("eth"), [], [new IntentOutput(to, "native", amount, false)], fee ?? 21_000 * 1_000_000_000L, null,
            nonceKey is null ? [] : [nonceKey], notes ?? []);

    /// <summary>An ERC-20 transfer as the EVM decoder presents it: the recipient from the calldata is an output in the token.</summary>
    public static TransactionIntent Erc20Transfer(string token, string recipient, BigInteger amount) =>
        new(ChainRegistry.Get("eth"), [], [new IntentOutput(recipient, token, amount, false)], 60_000 * 1_000_000_000L, null, ["1/0xabc/6"], []);

    public static TransactionIntent BtcSpend(params IntentOutput[] outputs) =>
        new(ChainRegistry.Get("btc"), [BtcOurs], outputs, 2_000, null, ["aa00000000000000000000000000000000000000000000000000000000000000:0"], []) { VirtualSize = 141 };

    public static IntentOutput BtcOut(string address, long sats, bool change = false) => new(address, "native", sats, change);

    public static SigningRequest Request(TransactionIntent? intent, string chain = "eth", string principal = "svc",
        string payload = "p1", string requestId = "r1") =>
        new(requestId, principal, "w1", ChainRegistry.Get(chain), intent, PayloadDigest(payload), Monday10);

    public static string PayloadDigest(string label) => Convert.ToHexStringLower(Custody.Core.Crypto.Hashes.Sha256(System.Text.Encoding.UTF8.GetBytes(label)));

    /// <summary>A snapshot with zero usage on every counter the policy names for the request.</summary>
    public static PolicySnapshot Quiet(VersionedPolicy policy, SigningRequest request) =>
        PolicySnapshot.Empty with
        {
            Velocity = PolicyEvaluator.VelocityKeys(policy, request).ToDictionary(k => k, _ => new VelocityTotal(0, 0)),
        };
}
