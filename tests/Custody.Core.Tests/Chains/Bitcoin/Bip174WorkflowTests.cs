using System.Text.Json;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Sighash;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>
/// BIP174's Creator → Updater → Signer → … → Extractor example (2-of-2 P2SH and
/// P2SH-P2WSH multisig, testnet): the model and sighash classes reproduce every step
/// byte for byte, and the codec's signer, combiner and finaliser give the BIP's signatures,
/// combined PSBT, final PSBT and network transaction.
/// </summary>
public class Bip174WorkflowTests
{
    private static JsonElement Workflow => VectorFile.Json("bip174-psbt.json").GetProperty("workflow");

    private static string Expected(string step) => Workflow.GetProperty(step).GetProperty("expected_psbt").GetProperty("hex").GetString()!;

    private const uint MasterFingerprint = 0xd90c6a4f;
    private static readonly string[] Signers = ["signer_1", "signer_2"];

    [Fact]
    public void Creator_builds_the_expected_psbt()
    {
        var creator = Workflow.GetProperty("creator");
        var inputs = creator.GetProperty("inputs").EnumerateArray().Select(i =>
        {
            var txid = VectorFile.Hex(i.GetProperty("txid").GetString()!);
            Array.Reverse(txid); // display order → internal order
            return new TxInput(new OutPoint(txid, i.GetProperty("vout").GetUInt32()), [], 0xffffffff);
        });
        var outputs = creator.GetProperty("outputs").EnumerateArray().Select(o =>
            new TxOutput(Satoshi(o.GetProperty("amount_btc").GetString()!), VectorFile.Hex(o.GetProperty("scriptPubKey").GetString()!)));

        var psbt = PartiallySignedTransaction.Create(new BitcoinTransaction(2, inputs, outputs, 0));

        Assert.Equal(Expected("creator"), VectorFile.ToHex(psbt.ToBytes()));
    }

    [Fact]
    public void Updater_adds_utxos_scripts_and_derivations_in_the_expected_order()
    {
        var updater = Workflow.GetProperty("updater");
        var psbt = PartiallySignedTransaction.Parse(VectorFile.Hex(Expected("creator")));
        var previous = updater.GetProperty("previous_transactions").EnumerateArray()
            .Select(t => BitcoinTransaction.ParseHex(t.GetString()!)).ToList();
        var redeem = updater.GetProperty("redeem_scripts").EnumerateArray().Select(s => VectorFile.Hex(s.GetString()!)).ToList();
        var witness = updater.GetProperty("witness_scripts").EnumerateArray().Select(s => VectorFile.Hex(s.GetString()!)).ToList();
        var keys = updater.GetProperty("public_keys").EnumerateArray()
            .Select(k => (Key: VectorFile.Hex(k.GetProperty("pubkey").GetString()!), Origin: new KeyOrigin(MasterFingerprint, KeyPath.Parse(k.GetProperty("path").GetString()!))))
            .ToList();
        var tx = psbt.UnsignedTransaction;
        var input0 = psbt.Inputs[0].WithNonWitnessUtxo(previous.Single(p => p.TxHash.SequenceEqual(tx.Inputs[0].PrevOut.Hash)))
            .WithRedeemScript(redeem[0]).WithBip32Derivation(keys[0].Key, keys[0].Origin).WithBip32Derivation(keys[1].Key, keys[1].Origin);
        var previous1 = previous.Single(p => p.TxHash.SequenceEqual(tx.Inputs[1].PrevOut.Hash));
        var input1 = psbt.Inputs[1].WithWitnessUtxo(previous1.Outputs[(int)tx.Inputs[1].PrevOut.Index])
            .WithRedeemScript(redeem[1]).WithWitnessScript(witness[0])
            .WithBip32Derivation(keys[2].Key, keys[2].Origin).WithBip32Derivation(keys[3].Key, keys[3].Origin);

        psbt = psbt.WithInput(input0).WithInput(input1)
            .WithOutput(psbt.Outputs[0].WithBip32Derivation(keys[4].Key, keys[4].Origin))
            .WithOutput(psbt.Outputs[1].WithBip32Derivation(keys[5].Key, keys[5].Origin));

        Assert.Equal(Expected("updater"), VectorFile.ToHex(psbt.ToBytes()));
        var withSighash = psbt.WithInput(psbt.Inputs[0].WithSighashType(SighashType.All)).WithInput(psbt.Inputs[1].WithSighashType(SighashType.All));
        Assert.Equal(Expected("updater_add_sighash_all"), VectorFile.ToHex(withSighash.ToBytes()));
    }

    [Theory]
    [InlineData("signer_1")]
    [InlineData("signer_2")]
    public void Signers_reproduce_the_expected_partial_signatures(string step)
    {
        var psbt = PartiallySignedTransaction.Parse(VectorFile.Hex(Expected("updater_add_sighash_all")));
        var tx = psbt.UnsignedTransaction;
        var spent = SpentOutputs.Resolve(psbt, BitcoinNetwork.Testnet);
        var segwit = new SegwitV0Sighash(tx);

        foreach (var wif in Workflow.GetProperty(step).GetProperty("keys_wif_testnet").EnumerateArray())
        {
            var payload = Base58.DecodeCheck(wif.GetProperty("wif").GetString()!);
            Assert.Equal(BitcoinNetwork.Testnet.WifVersion, payload[0]);
            Assert.Equal(0x01, payload[^1]); // compressed key
            var key = payload.AsSpan(1, 32).ToArray();
            var pub = Secp256k1.GetPublicKey(key);
            var path = KeyPath.Parse(wif.GetProperty("path").GetString()!);
            var input = psbt.Inputs.Single(i => i.Bip32Derivations.Any(d => d.PublicKey.Span.SequenceEqual(pub) && d.Origin.Path == path));
            var type = input.SighashType!.Value;

            // P2SH multisig: legacy sighash over the redeem script; P2SH-P2WSH: BIP143 over the witness script.
            var digest = input.WitnessScript is { } witnessScript
                ? segwit.Compute(input.Index, witnessScript.Span, spent[input.Index].Value, type)
                : LegacySighash.Compute(tx, input.Index, input.RedeemScript!.Value.Span, type);
            var signature = Secp256k1.Sign(key, digest);
            psbt = psbt.WithInput(input.WithPartialSignature(pub, [.. signature.ToDer(), (byte)type]));
        }

        Assert.Equal(Expected(step), VectorFile.ToHex(psbt.ToBytes()));
    }

    [Fact]
    public void Extractor_gives_the_expected_network_transaction()
    {
        var finalized = PartiallySignedTransaction.Parse(VectorFile.Hex(Expected("finalizer")));

        Assert.True(finalized.IsFinalized);
        Assert.Equal(Workflow.GetProperty("extractor").GetProperty("expected_tx_hex").GetString(), finalized.ExtractTransaction().ToHex());
    }

    [Fact]
    public void The_combiner_and_finaliser_reproduce_the_expected_psbts_and_transaction()
    {
        var codec = new PsbtCodec(Custody.Core.Chains.ChainRegistry.Get("btc-testnet"));
        var combined = codec.Combine([VectorFile.Hex(Expected("signer_1")), VectorFile.Hex(Expected("signer_2"))]);
        Assert.Equal(Expected("combiner"), VectorFile.ToHex(combined.ToBytes()));

        var (final, tx) = codec.FinalizeAndExtract(combined.ToBytes());
        Assert.Equal(Expected("finalizer"), VectorFile.ToHex(final.ToBytes()));
        Assert.Equal(Workflow.GetProperty("extractor").GetProperty("expected_tx_hex").GetString(), tx.ToHex());

        // One signer's PSBT alone is not enough, and the finaliser says what is missing.
        var e = Assert.Throws<InvalidInputException>(() => codec.FinalizeAndExtract(VectorFile.Hex(Expected("signer_1"))));
        Assert.Contains("input[0] needs 1 more signature; input[1] needs 1 more signature", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_multisig_inputs_are_signed_by_the_codec_as_the_signers_do()
    {
        var bytes = VectorFile.Hex(Expected("updater_add_sighash_all"));
        var codec = new PsbtCodec(Custody.Core.Chains.ChainRegistry.Get("btc-testnet"));
        // All four multisig keys of the example (both signers' WIFs) in one ring.
        using var keys = TestKit.FixedKeyRing.Of(MasterFingerprint, [.. Signers
            .SelectMany(step => Workflow.GetProperty(step).GetProperty("keys_wif_testnet").EnumerateArray())
            .Select(w => (KeyPath.Parse(w.GetProperty("path").GetString()!), Base58.DecodeCheck(w.GetProperty("wif").GetString()!).AsSpan(1, 32).ToArray()))]);
        // Without the change derivations (whose private keys the BIP does not give), only the inputs matter.
        var psbt = PartiallySignedTransaction.Parse(bytes);
        psbt = psbt.WithOutput(new PsbtOutput(0, PsbtMap.Empty)).WithOutput(new PsbtOutput(1, PsbtMap.Empty));

        var intent = codec.Decode(bytes);
        var signed = codec.Sign(psbt.ToBytes(), keys, null);

        Assert.Equal(2, intent.Outputs.Count);
        Assert.All(intent.Outputs, o => Assert.True(o.IsChange)); // claimed through derivations
        Assert.Equal(Satoshi("0.5") + Satoshi("2") - Satoshi("1.4999") - Satoshi("1"), intent.Fee);
        Assert.Equal([new Custody.Core.Chains.InputSigning("input[0]", true, 0), new Custody.Core.Chains.InputSigning("input[1]", true, 0)], signed.Inputs);
        // The signers' signatures (RFC 6979), finalised in key order: the BIP's network transaction.
        Assert.Equal(Workflow.GetProperty("extractor").GetProperty("expected_tx_hex").GetString(),
            PartiallySignedTransaction.ParseBase64(signed.Payload).ExtractTransaction().ToHex());
        Assert.Equal(4, keys.SignatureCount);
    }

    private static long Satoshi(string btc) => (long)(decimal.Parse(btc, System.Globalization.CultureInfo.InvariantCulture) * 100_000_000m);
}
