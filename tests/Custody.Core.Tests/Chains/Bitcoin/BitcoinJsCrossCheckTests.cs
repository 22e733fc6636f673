using System.Globalization;
using System.Text;
using System.Text.Json;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Sighash;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Tests.TestKit;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>
/// Differential test against bitcoinjs-lib (tests/crosscheck/bitcoin): PSBTs signed by the
/// codec on every network and script kind must verify there, give the same fee, and
/// finalise and extract to the same transaction and txid. Skipped without node or node_modules.
/// </summary>
public class BitcoinJsCrossCheckTests
{
    [NodeFact("tests/crosscheck/bitcoin", "bitcoinjs-lib")]
    public void Bitcoinjs_verifies_finalises_and_extracts_what_custody_signed()
    {
        using var keys = FixedKeyRing.Deterministic(0x1234abcd, "crosscheck");
        var cases = new List<object>();
        foreach (var chain in ChainRegistry.All.Where(c => c.Family == BitcoinFamily.Instance))
        {
            var kinds = Enum.GetValues<BitcoinAddressKind>().Where(k => SingleKeyScript.IsAvailable(k, BitcoinFamily.NetworkOf(chain))).ToList();
            foreach (var kind in kinds)
                cases.Add(Case($"{chain.Id}/{kind}", chain, keys, builder => builder
                    .Spend(kind, PsbtCodecTests.PathFor(chain, kind, 0, 0), 70_000)
                    .Spend(kind, PsbtCodecTests.PathFor(chain, kind, 0, 1), 30_000)));
            cases.Add(Case($"{chain.Id}/mixed+sighash", chain, keys, builder =>
            {
                uint i = 2;
                foreach (var kind in kinds)
                {
                    builder.Spend(kind, PsbtCodecTests.PathFor(chain, kind, 0, i++), 25_000);
                    // SINGLE only where an output has the input's index (inputs 1 and below).
                    uint type = i == 3 ? (uint)(SighashType.AnyoneCanPay | SighashType.Single) : (i % 3) switch
                    {
                        0 => (uint)(SighashType.AnyoneCanPay | SighashType.All),
                        1 => SighashType.None,
                        _ => (uint)(SighashType.AnyoneCanPay | SighashType.None),
                    };
                    builder.Spend(kind, PsbtCodecTests.PathFor(chain, kind, 0, i++), 25_000, input => input.WithSighashType(type));
                }
                return builder;
            }));
        }

        using var answer = JsonDocument.Parse(Node.Run("tests/crosscheck/bitcoin", "crosscheck.mjs", JsonSerializer.Serialize(new { cases })));

        var results = answer.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(cases.Count, results.Count);
        Assert.All(results, r => Assert.True(r.GetProperty("errors").GetArrayLength() == 0,
            r.GetProperty("name").GetString() + ": " + r.GetProperty("errors").ToString()));
    }

    private static object Case(string name, Chain chain, FixedKeyRing keys, Func<TestPsbtBuilder, TestPsbtBuilder> spend)
    {
        var builder = spend(new TestPsbtBuilder(keys));
        var inputCount = builder.Build().Inputs.Count;
        var psbt = builder
            .Pay(BitcoinScript.P2pkh(Enumerable.Range(0, 20).Select(b => (byte)b).ToArray()), 40_000)
            .Pay(BitcoinScript.P2sh(Enumerable.Range(0, 20).Select(b => (byte)(b + 1)).ToArray()), 1_000)
            .Build();
        var codec = new PsbtCodec(chain);
        var signed = codec.Sign(psbt.ToBytes(), keys, null);
        var final = PartiallySignedTransaction.ParseBase64(signed.Payload);
        var tx = final.ExtractTransaction();
        Assert.True(inputCount > 0);
        return new
        {
            name,
            partialPsbt = Unfinalise(psbt, tx, SpentOutputs.Resolve(psbt, BitcoinFamily.NetworkOf(chain))).ToBase64(),
            finalPsbt = signed.Payload,
            txHex = tx.ToHex(),
            txid = signed.TxId,
            fee = signed.Intent.Fee.ToString(CultureInfo.InvariantCulture),
        };
    }

    // The signed PSBT as it was before finalising: each signature moved back from the
    // final scriptSig / witness into partial_sig or tap_key_sig, for bitcoinjs to finalise itself.
    private static PartiallySignedTransaction Unfinalise(PartiallySignedTransaction unsigned, BitcoinTransaction tx, TxOutput[] spent)
    {
        var psbt = unsigned;
        for (var i = 0; i < tx.Inputs.Count; i++)
        {
            var input = tx.Inputs[i];
            var script = spent[i].ScriptPubKey;
            var psbtInput = psbt.Inputs[i];
            if (BitcoinScript.IsP2tr(script))
                psbtInput = psbtInput.WithTapKeySignature(input.Witness[0].Span);
            else if (BitcoinScript.IsP2pkh(script))
            {
                var scriptSig = input.ScriptSig;
                var sig = scriptSig.Slice(1, scriptSig[0]);
                var pub = scriptSig.Slice(2 + sig.Length, scriptSig[1 + sig.Length]);
                psbtInput = psbtInput.WithPartialSignature(pub, sig);
            }
            else
                psbtInput = psbtInput.WithPartialSignature(input.Witness[1].Span, input.Witness[0].Span);
            psbt = psbt.WithInput(psbtInput);
        }
        return psbt;
    }
}
