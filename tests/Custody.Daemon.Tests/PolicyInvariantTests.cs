using System.Globalization;
using System.Numerics;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Chains.Evm;
using Custody.V1;
using Grpc.Core;
using Xunit.Abstractions;

namespace Custody.Daemon.Tests;

/// <summary>
/// The policy gate against an attacker who only sends requests (issue 15, "beyond these cases"):
/// random sequences of requests — several signer paths, nonce reuse, fee bumps, replacements, overlapping
/// outpoints, understated input values, concurrent submissions — against one policy. Then, from the
/// signed transactions alone (not from anything the daemon says), what could confirm together on
/// chain, and the assertion that no such set passes a limit or an allow/deny rule:
/// <list type="bullet">
/// <item>EVM: two transactions conflict when they share sender (recovered from the signature) and
/// nonce; any choice of one per (sender, nonce) can confirm together.</item>
/// <item>Bitcoin: a transaction can confirm when every input carries a signature that is valid for the
/// value the input really spends (a segwit v0 signature commits to the value it was told); signatures of
/// several signed PSBTs with the same unsigned transaction combine. Two transactions conflict when
/// they spend one outpoint; the largest set without conflicts is found by search.</item>
/// </list>
/// The seed is printed: a failure replays with CUSTODY_INVARIANT_SEED.
/// </summary>
[Collection(DaemonCollection.Name)]
public class PolicyInvariantTests(DaemonFixture daemon, ITestOutputHelper output) : LoggedTest(daemon.Logs)
{
    private static readonly BigInteger Gwei = BigInteger.Pow(10, 9);
    private static readonly BigInteger Milli = BigInteger.Pow(10, 15); // 0.001 ETH

    private const string AllowedBtc = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    private const string StrangerBtc = "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3";
    private static readonly string[] EvmAllowed = [Evm(0x11), Evm(0x22)];
    private static readonly string EvmDenied = Evm(0xdd);
    private static readonly string EvmStranger = Evm(0x77);

    private const long BtcMaxFee = 60_000;
    private const long BtcMaxPerTx = 90_000;
    private const long BtcVelocityAmount = 150_000;
    private const int BtcVelocityCount = 3;
    private static readonly BigInteger EthMaxPerTx = 50 * Milli;
    private static readonly BigInteger EthVelocityAmount = 100 * Milli;
    private const int EthVelocityCount = 4;
    private static readonly BigInteger EthMaxFee = 21_000 * 45 * Gwei;

    private static string Evm(byte b) => EvmAddress.ToChecksumText(Enumerable.Repeat(b, 20).ToArray());

    [Fact]
    public async Task Whatever_is_signed_no_set_that_can_confirm_together_passes_a_limit_or_a_list()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CUSTODY_INVARIANT_SEED"), out var s) ? s : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with CUSTODY_INVARIANT_SEED={seed})");
        var random = new Random(seed);
        var admin = DaemonFixture.Bearer(daemon.AdminToken);
        var signer = DaemonFixture.Bearer(daemon.SignerToken);
        var wallet = (await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "invariant-" + seed, Kind = V1.WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, admin)).WalletId;
        await daemon.Policy.SetPolicyAsync(new SetPolicyRequest
        {
            WalletId = wallet,
            Document = $$"""
                { "schema": "custody-policy/v1", "principals": ["signer-1"], "chains": {
                  "eth": { "allowReplacement": true, "maxFee": "{{EthMaxFee}}", "denyList": ["{{EvmDenied}}"], "allowList": ["{{EvmAllowed[0]}}", "{{EvmAllowed[1]}}"],
                           "assets": { "native": { "maxPerTransaction": "{{EthMaxPerTx}}", "velocity": [ { "window": "24h", "maxAmount": "{{EthVelocityAmount}}", "maxCount": {{EthVelocityCount}} } ] } } },
                  "btc": { "allowReplacement": true, "maxFee": "{{BtcMaxFee}}", "allowList": ["{{AllowedBtc}}"],
                           "assets": { "native": { "maxPerTransaction": "{{BtcMaxPerTx}}", "velocity": [ { "window": "24h", "maxAmount": "{{BtcVelocityAmount}}", "maxCount": {{BtcVelocityCount}} } ] } } } } }
                """,
        }, admin);
        var info = await daemon.Wallets.GetWalletAsync(new GetWalletRequest { WalletId = wallet }, admin);
        var address = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet, Chain = "btc", Index = 0 }, signer);
        var key = new PsbtSpend(uint.Parse(info.MasterFingerprint, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            Core.Hd.KeyPath.Parse(address.DerivationPath), Convert.FromHexString(address.PublicKey));
        var funding = key.Funding(100_000, 100_000, 100_000, 100_000, 100_000, 100_000);

        var signedEvm = new List<string>();
        var signedBtc = new List<string>();
        var sent = 0;
        while (sent < 240)
        {
            // A batch submitted at once: the gate must serialise what could race.
            var batch = Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(2) == 0 ? EvmRequest(random) : BtcRequest(random, key, funding)).ToList();
            sent += batch.Count;
            var results = await Task.WhenAll(batch.Select(async r =>
            {
                var request = new SignTransactionRequest
                {
                    RequestId = "inv-" + Guid.NewGuid().ToString("N"), WalletId = wallet, Chain = r.Chain, Payload = r.Payload,
                    Signer = r.Index == 0 ? null : new V1.Signer { Index = r.Index },
                };
                while (true)
                {
                    try
                    {
                        return (r.Chain, Signed: (await daemon.Signing.SignTransactionAsync(request, signer)).SignedPayload);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                    {
                        await Task.Delay(Random.Shared.Next(1, 20)); // overloaded: the same request again, as a client would
                    }
                    catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.InvalidArgument)
                    {
                        return (r.Chain, Signed: (string?)null);
                    }
                }
            }));
            foreach (var (chain, signed) in results.Where(r => r.Signed is not null))
                (chain == "eth" ? signedEvm : signedBtc).Add(signed!);
        }
        output.WriteLine($"{sent} requests: {signedEvm.Count} EVM and {signedBtc.Count} Bitcoin signatures");
        Assert.NotEmpty(signedEvm);
        Assert.NotEmpty(signedBtc);
        CheckEvm(signedEvm);
        CheckBitcoin(signedBtc, funding);
    }

    private sealed record Request(string Chain, string Payload, uint Index);

    private static Request EvmRequest(Random random)
    {
        string[] destinations = [.. EvmAllowed, EvmDenied, EvmStranger];
        BigInteger[] values = [10 * Milli, 30 * Milli, 60 * Milli];
        ulong[] fees = [30, 40, 50];
        var payload = EvmPayloads.Eip1559((ulong)random.Next(3), to: destinations[random.Next(destinations.Length)],
            maxFeePerGas: fees[random.Next(fees.Length)] * 1_000_000_000, value: values[random.Next(values.Length)]);
        return new Request("eth", payload, (uint)random.Next(3));
    }

    private static Request BtcRequest(Random random, PsbtSpend key, BitcoinTransaction funding)
    {
        var inputs = Enumerable.Range(0, funding.Outputs.Count).OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToArray();
        // Now and then an input understates what it spends (witness_utxo alone carries the claim).
        var understate = random.Next(4) == 0 ? random.Next(inputs.Length) : -1;
        var claims = inputs.Select((o, i) => (o, i == understate ? funding.Outputs[o].Value - 49_000 : funding.Outputs[o].Value)).ToArray();
        long[] amounts = [20_000, 50_000, 90_000, 95_000];
        var destination = random.Next(5) == 0 ? StrangerBtc : AllowedBtc;
        var claimedIn = claims.Sum(c => c.Item2);
        var send = Math.Min(amounts[random.Next(amounts.Length)], claimedIn - 1_000);
        return new Request("btc", key.Spend(funding, claims, [(PsbtSpend.To(destination), send)], fullPrevious: understate < 0 && random.Next(2) == 0), 0);
    }

    /// <summary>Per (sender, nonce) at most one confirms: the worst case takes the largest value of each.</summary>
    private static void CheckEvm(List<string> signed)
    {
        var txs = signed.Select(hex =>
        {
            var (tx, _) = EvmTransaction.DecodeSigned(Convert.FromHexString(hex[2..]));
            return (Tx: tx, Sender: EvmPayloads.RecoverEvmSigner(hex));
        }).ToList();
        foreach (var (tx, _) in txs)
        {
            var to = EvmAddress.ToChecksumText(tx.To!.Value.Span);
            Assert.Contains(to, EvmAllowed);
            Assert.NotEqual(EvmDenied, to);
            Assert.True(tx.Value <= EthMaxPerTx, $"a transaction sends {tx.Value}");
            Assert.True(tx.MaxFee <= EthMaxFee, $"a transaction may cost {tx.MaxFee}");
        }
        var groups = txs.GroupBy(t => (t.Sender, t.Tx.Nonce)).Select(g => g.Max(t => t.Tx.Value)).ToList();
        var total = groups.Aggregate(BigInteger.Zero, (a, v) => a + v);
        Assert.True(total <= EthVelocityAmount, $"{groups.Count} EVM transactions that can all confirm send {total} > {EthVelocityAmount}");
        Assert.True(groups.Count <= EthVelocityCount, $"{groups.Count} EVM transactions can all confirm > {EthVelocityCount}");
    }

    /// <summary>
    /// Every unsigned transaction whose inputs all carry a signature valid for the values they really spend
    /// (from any of the signed PSBTs for it) can confirm; of those, any set without a shared outpoint can
    /// confirm together.
    /// </summary>
    private static void CheckBitcoin(List<string> signed, BitcoinTransaction funding)
    {
        var byUnsigned = new Dictionary<string, (BitcoinTransaction Tx, HashSet<int> Valid)>(StringComparer.Ordinal);
        foreach (var text in signed)
        {
            var psbt = PartiallySignedTransaction.ParseBase64(text);
            var tx = psbt.ExtractTransaction();
            var id = tx.TxId; // witnesses are not part of the txid: PSBTs of one unsigned transaction share it
            if (!byUnsigned.TryGetValue(id, out var entry)) byUnsigned[id] = entry = (tx, []);
            for (var i = 0; i < tx.Inputs.Count; i++)
            {
                var spent = funding.Outputs[(int)tx.Inputs[i].PrevOut.Index];
                if (BitcoinPayloads.P2wpkhInputVerifies(tx, i, spent)) entry.Valid.Add(i);
            }
        }
        var confirmable = byUnsigned.Values.Where(e => e.Valid.Count == e.Tx.Inputs.Count).Select(e => e.Tx).ToList();
        foreach (var tx in confirmable)
        {
            var inValue = tx.Inputs.Sum(i => funding.Outputs[(int)i.PrevOut.Index].Value);
            var outValue = tx.Outputs.Sum(o => o.Value);
            Assert.True(inValue - outValue <= BtcMaxFee, $"transaction {tx.TxId} really pays a fee of {inValue - outValue} > {BtcMaxFee}");
            foreach (var output in tx.Outputs)
            {
                Assert.True(BitcoinAddress.TryFromScriptPubKey(output.ScriptPubKey, BitcoinNetwork.Mainnet, out var to) && to == AllowedBtc, $"transaction {tx.TxId} pays {to}");
                Assert.True(output.Value <= BtcMaxPerTx);
            }
        }
        // The worst case: the set of non-conflicting transactions paying the most (and the largest such set).
        var (most, count) = Worst(confirmable, 0, [], 0, 0);
        Assert.True(most <= BtcVelocityAmount, $"Bitcoin transactions that can all confirm pay {most} > {BtcVelocityAmount}");
        Assert.True(count <= BtcVelocityCount, $"{count} Bitcoin transactions can all confirm > {BtcVelocityCount}");
    }

    private static (long Amount, int Count) Worst(List<BitcoinTransaction> txs, int next, HashSet<string> spent, long amount, int count)
    {
        if (next == txs.Count) return (amount, count);
        var best = Worst(txs, next + 1, spent, amount, count);
        var tx = txs[next];
        var outpoints = tx.Inputs.Select(i => i.PrevOut.ToString()).ToList();
        if (outpoints.Any(spent.Contains)) return best;
        spent.UnionWith(outpoints);
        var with = Worst(txs, next + 1, spent, amount + tx.Outputs.Sum(o => o.Value), count + 1);
        spent.ExceptWith(outpoints);
        return (Math.Max(best.Amount, with.Amount), Math.Max(best.Count, with.Count));
    }
}
