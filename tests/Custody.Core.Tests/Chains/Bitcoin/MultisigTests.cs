using System.Text.Json;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Descriptors;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Tests.TestKit;
using Custody.TestKit;
using NB = NBitcoin;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>
/// 2-of-3 multisig co-signing: our HD key (BIP48 account) signs, a cosigner signs with
/// bitcoinjs-lib, the PSBTs are combined and finalised here, and the extracted transaction
/// is checked by NBitcoin's script interpreter and against bitcoinjs' own combination.
/// </summary>
public sealed class MultisigTests : IDisposable
{
    private static readonly Chain Btc = ChainRegistry.Get("btc");
    private readonly MultisigPsbts _kit = new();

    public void Dispose() => _kit.Dispose();

    public static TheoryData<string> Shapes => new() { "wsh({0})", "sh(wsh({0}))", "sh({0})", $"tr({MultisigPsbts.Nums},{{1}})" };

    [NodeTheory("tests/crosscheck/bitcoin", "bitcoinjs-lib")]
    [MemberData(nameof(Shapes))]
    public void Two_of_three_round_trip_with_a_bitcoinjs_cosigner(string shape)
    {
        var descriptor = _kit.Descriptor(shape);
        var unsigned = _kit.Build(descriptor);
        var codec = new PsbtCodec(Btc, descriptor);

        var ours = codec.Sign(unsigned.ToBytes(), _kit.Ours, null);
        Assert.Equal([("input[0]", true, 1), ("input[1]", true, 1)], ours.Inputs.Select(i => (i.Input, i.SignedNow, i.SignaturesMissing)));
        // A script path reports its leaf (the one multi_a leaf), which still needs one signature.
        Assert.All(ours.Inputs, (input, i) => Assert.Equal(descriptor.Root is TaprootNode
            ? [new LeafSigning(Convert.ToHexStringLower(Taproot.LeafHash(Taproot.TapscriptLeafVersion, unsigned.Inputs[i].TapLeafScripts.Single().Script.Span)), 1)]
            : [], input.Leaves));
        Assert.Equal([false, true], ours.Intent.Outputs.Select(o => o.IsChange));
        // Segwit inputs fix their scriptSig in advance, so the txid is known; a legacy P2SH one's is not.
        Assert.Equal(shape == "sh({0})" ? 0 : 64, ours.TxId.Length);
        var missing = Assert.Throws<InvalidInputException>(() => codec.FinalizeAndExtract(PartiallySignedTransaction.ParseBase64(ours.Payload).ToBytes()));
        Assert.Contains("input[0] needs 1 more signature", missing.Reason, StringComparison.Ordinal);

        using var answer = JsonDocument.Parse(Node.Run("tests/crosscheck/bitcoin", "cosign.mjs",
            JsonSerializer.Serialize(new { psbt = unsigned.ToBase64(), ours = ours.Payload, keys = _kit.CosignerKeys(unsigned) })));
        var theirs = answer.RootElement.GetProperty("cosigned").GetString()!;

        var combined = codec.Combine([PartiallySignedTransaction.DecodeBase64(ours.Payload), PartiallySignedTransaction.DecodeBase64(theirs)]);
        var (final, tx) = codec.FinalizeAndExtract(combined.ToBytes());
        Assert.True(final.IsFinalized);

        // bitcoinjs combined and finalised the same two PSBTs itself: the same transaction.
        Assert.Equal(answer.RootElement.GetProperty("txHex").GetString(), tx.ToHex());
        Assert.Equal(answer.RootElement.GetProperty("txid").GetString(), tx.TxId);
        if (ours.TxId.Length > 0) Assert.Equal(ours.TxId, tx.TxId);

        AssertNBitcoinAccepts(tx, SpentOutputs.Resolve(final, BitcoinNetwork.Mainnet), shape);
    }

    // NBitcoin: the same txid, and every input passes its script interpreter under the standard flags.
    private static void AssertNBitcoinAccepts(BitcoinTransaction tx, IReadOnlyList<TxOutput> spent, string context)
    {
        var theirTx = NB.Transaction.Parse(tx.ToHex(), NB.Network.Main);
        Assert.Equal(theirTx.GetHash().ToString(), tx.TxId);
        var outputs = spent.Select(s => new NB.TxOut(NB.Money.Satoshis(s.Value), NB.Script.FromBytesUnsafe(s.ScriptPubKey.ToArray()))).ToArray();
        var data = theirTx.PrecomputeTransactionData(outputs);
        foreach (var input in theirTx.Inputs.AsIndexedInputs())
            Assert.True(input.VerifyScript(outputs[input.Index], NB.ScriptVerify.Standard, data, out var error), $"{context}: input {input.Index}: {error}");
    }

    [Fact]
    public void Conflicting_combines_are_refused_naming_the_field()
    {
        var descriptor = _kit.Descriptor("wsh({0})");
        var unsigned = _kit.Build(descriptor);
        var codec = new PsbtCodec(Btc, descriptor);
        var ours = PartiallySignedTransaction.ParseBase64(codec.Sign(unsigned.ToBytes(), _kit.Ours, null).Payload);

        // Two different signatures for one key.
        var partial = ours.Inputs[0].PartialSignatures.Single();
        var forged = partial.Signature.ToArray();
        forged[10] ^= 1;
        var other = ours.WithInput(new PsbtInput(0, ours.Inputs[0].Map.With(PsbtKeyValue.Create(PsbtInputKey.PartialSig, partial.PublicKey.Span, forged))));
        var e = Assert.Throws<InvalidInputException>(() => codec.Combine([ours.ToBytes(), other.ToBytes()]));
        Assert.Equal("psbt[1].input[0].partial_sig", e.Field);

        // A differing witness script (another 2-of-3) for the same input.
        var stranger = unsigned.WithInput(unsigned.Inputs[1].WithWitnessScript(_kit.Descriptor("wsh({0})").Root is ScriptHashNode s ? s.Inner.Script(0, 8) : []));
        e = Assert.Throws<InvalidInputException>(() => codec.Combine([ours.ToBytes(), stranger.ToBytes()]));
        Assert.Equal("psbt[1].input[1].witness_script", e.Field);

        // Another transaction altogether.
        var elsewhere = _kit.Build(_kit.Descriptor("sh(wsh({0}))"));
        Assert.Equal("psbt[1].global.unsigned_tx", Assert.Throws<InvalidInputException>(() => codec.Combine([ours.ToBytes(), elsewhere.ToBytes()])).Field);
    }

    [Fact]
    public void A_bad_cosigner_signature_is_refused_by_the_finaliser()
    {
        var descriptor = _kit.Descriptor("wsh({0})");
        var unsigned = _kit.Build(descriptor);
        var codec = new PsbtCodec(Btc, descriptor);
        var ours = PartiallySignedTransaction.ParseBase64(codec.Sign(unsigned.ToBytes(), _kit.Ours, null).Payload);
        // Our own signature under the cosigner's key: well-formed, but it does not verify.
        var cosignerKey = ours.Inputs[0].Bip32Derivations.Single(d => d.Origin.Fingerprint == _kit.Cosigner.Fingerprint.Value).PublicKey.Span;
        var bad = ours.WithInput(ours.Inputs[0].WithPartialSignature(cosignerKey, ours.Inputs[0].PartialSignatures.Single().Signature.Span));
        var e = Assert.Throws<InvalidInputException>(() => codec.FinalizeAndExtract(bad.ToBytes()));
        Assert.Equal("input[0].partial_sig", e.Field);
        Assert.Contains("does not verify", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Taproot_script_path_conflicts_bad_signatures_and_bad_leaves_are_refused()
    {
        var descriptor = _kit.Descriptor($"tr({MultisigPsbts.Nums},{{1}})");
        var unsigned = _kit.Build(descriptor);
        var codec = new PsbtCodec(Btc, descriptor);
        var ours = PartiallySignedTransaction.ParseBase64(codec.Sign(unsigned.ToBytes(), _kit.Ours, null).Payload);
        var signature = ours.Inputs[0].TapScriptSignatures.Single();

        // Signing again keeps the signature we made (a fresh BIP340 nonce would make a second, conflicting one).
        var again = PartiallySignedTransaction.ParseBase64(codec.Sign(ours.ToBytes(), _kit.Ours, null).Payload);
        Assert.Equal(ours.ToBytes(), codec.Combine([ours.ToBytes(), again.ToBytes()]).ToBytes());

        // Two different signatures for one (key, leaf).
        var forged = signature.Signature.ToArray();
        forged[10] ^= 1;
        var other = ours.WithInput(ours.Inputs[0].WithTapScriptSignature(signature.XOnlyKey.Span, signature.LeafHash.Span, forged));
        Assert.Equal("psbt[1].input[0].tap_script_sig", Assert.Throws<InvalidInputException>(() => codec.Combine([ours.ToBytes(), other.ToBytes()])).Field);

        // Our signature stated under the cosigner's key: well-formed, but it does not verify.
        var cosignerKey = ours.Inputs[0].TapBip32Derivations.Single(d => d.Origin.Fingerprint == _kit.Cosigner.Fingerprint.Value).XOnlyKey.Span;
        var bad = ours.WithInput(ours.Inputs[0].WithTapScriptSignature(cosignerKey, signature.LeafHash.Span, signature.Signature.Span));
        var e = Assert.Throws<InvalidInputException>(() => codec.FinalizeAndExtract(bad.ToBytes()));
        Assert.Equal(("input[0].tap_script_sig", true), (e.Field, e.Reason.Contains("does not verify", StringComparison.Ordinal)));

        // A control block that does not commit the leaf to the spent output key (the other parity).
        var leaf = unsigned.Inputs[0].TapLeafScripts.Single();
        byte[] flipped = [(byte)(leaf.ControlBlock.Span[0] ^ 1), .. leaf.ControlBlock.Span[1..]];
        var wrongBlock = unsigned.WithInput(new PsbtInput(0, unsigned.Inputs[0].Map.Where(x => x.KeyType != PsbtInputKey.TapLeafScript))
            .WithTapLeafScript(flipped, leaf.Script.Span, leaf.LeafVersion));
        e = Assert.Throws<InvalidInputException>(() => codec.Sign(wrongBlock.ToBytes(), _kit.Ours, null));
        Assert.Equal(("input[0].tap_leaf_script", true), (e.Field, e.Reason.Contains("does not commit", StringComparison.Ordinal)));

        // More leaves than are examined: refused when parsed, before any control block is checked.
        var crowded = unsigned.Inputs[0].Map.Where(x => x.KeyType != PsbtInputKey.TapLeafScript);
        for (var i = 0; i <= PsbtInput.MaxTapLeafScripts; i++)
            crowded = crowded.With(PsbtKeyValue.Create(PsbtInputKey.TapLeafScript,
                [.. leaf.ControlBlock.Span, .. Hashes.Sha256(BitConverter.GetBytes(i))], [.. leaf.Script.Span, leaf.LeafVersion]));
        var writer = new Custody.Core.Chains.Bitcoin.Wire.WireWriter(64 * 1024);
        writer.WriteBytes([0x70, 0x73, 0x62, 0x74, 0xff]); // the magic, "psbt" 0xff
        unsigned.Global.Map.Write(writer);
        crowded.Write(writer);
        unsigned.Inputs[1].Map.Write(writer);
        foreach (var output in unsigned.Outputs) output.Map.Write(writer);
        e = Assert.Throws<InvalidInputException>(() => PartiallySignedTransaction.Parse(writer.ToArray()));
        Assert.Equal(("input[0].tap_leaf_script", true), (e.Field, e.Reason.Contains("at most 256", StringComparison.Ordinal)));

        // Without the leaf's script there is nothing this wallet can sign in that input.
        var noLeaf = unsigned.WithInput(new PsbtInput(0, unsigned.Inputs[0].Map.Where(x => x.KeyType != PsbtInputKey.TapLeafScript)));
        e = Assert.Throws<InvalidInputException>(() => codec.Sign(noLeaf.ToBytes(), _kit.Ours, null));
        Assert.Equal(("input[0].tap_leaf_script", true), (e.Field, e.Reason.Contains("gives none of their scripts", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_finaliser_takes_the_smallest_satisfiable_leaf_and_prefers_the_key_path()
    {
        // Two leaves: the 2-of-3, and our key alone (pk). Our one derivation names both leaves.
        var descriptor = _kit.Descriptor("tr(" + MultisigPsbts.Nums + ",{{{1},pk(" + MultisigPsbts.OurKey() + ")}})");
        var unsigned = _kit.Build(descriptor);
        var codec = new PsbtCodec(Btc, descriptor);
        using var cosigner = MultisigPsbts.CosignerRing();
        var cosigned = PartiallySignedTransaction.ParseBase64(codec.Sign(unsigned.ToBytes(), cosigner, null).Payload);
        Assert.All(cosigned.Inputs, input => Assert.Single(input.TapScriptSignatures));

        // Our signatures make both leaves satisfiable; the pk leaf's witness is the smaller one.
        var spent = SpentOutputs.Resolve(cosigned, BitcoinNetwork.Mainnet);
        var signed = new PsbtSigner(cosigned, BitcoinNetwork.Mainnet, spent, new KeyOwnership(_kit.Ours, null), descriptor).SignAll(out _);
        Assert.All(signed.Inputs, input => Assert.Equal(3, input.TapScriptSignatures.Count));
        Assert.All(signed.Inputs, input => Assert.Equal([0, 0], PsbtFinalizer.LeafSignaturesMissing(input, spent[input.Index].ScriptPubKey).Select(l => l.SignaturesMissing)));
        var (final, tx) = codec.FinalizeAndExtract(signed.ToBytes());
        var pkLeaf = ((TaprootNode)descriptor.Root).Leaves[1].Script.Script(0, 0);
        var witness = final.Inputs[0].FinalScriptWitness!;
        Assert.Equal(3, witness.Count); // signature, script, control block
        Assert.Equal(pkLeaf, witness[1]);
        AssertNBitcoinAccepts(tx, spent, "pk leaf");

        // A key-path signature, when present, is used instead of any leaf.
        var keyPath = PsbtFinalizer.TryFinalize(signed.Inputs[0].WithTapKeySignature(new byte[64]), spent[0].ScriptPubKey)!;
        Assert.Equal([new byte[64]], keyPath.FinalScriptWitness);
    }

    [Fact]
    public void Change_to_another_descriptor_is_not_change()
    {
        var descriptor = _kit.Descriptor("wsh({0})");
        // The same keys in another arrangement (2-of-2 of ours and the cosigner's): our key, another script.
        var elsewhere = OutputDescriptor.Parse($"wsh(sortedmulti(2,{MultisigPsbts.OurKey()},{MultisigPsbts.AccountKeyOf(_kit.Cosigner)}))");
        var psbt = _kit.Build(descriptor, changeTo: elsewhere);
        var e = Assert.Throws<InvalidInputException>(() => new PsbtCodec(Btc, descriptor).Sign(psbt.ToBytes(), _kit.Ours, null));
        Assert.Equal("output[1]", e.Field);
        Assert.Contains("neither the account's descriptor at a change index", e.Reason, StringComparison.Ordinal);

        // A receive index of our own descriptor is not change either.
        var receive = _kit.Build(descriptor);
        var output = receive.Outputs[1];
        var tx = receive.UnsignedTransaction;
        var outputs = tx.Outputs.ToArray();
        outputs[1] = new TxOutput(outputs[1].Value, descriptor.ScriptPubKey(0, 3));
        var atReceive = PartiallySignedTransaction.Create(new BitcoinTransaction(tx.Version, tx.Inputs, outputs, tx.LockTime));
        for (var i = 0; i < receive.Inputs.Count; i++) atReceive = atReceive.WithInput(new PsbtInput(i, receive.Inputs[i].Map));
        atReceive = atReceive.WithOutput(new PsbtOutput(1, output.Map));
        Assert.Equal("output[1]", Assert.Throws<InvalidInputException>(() => new PsbtCodec(Btc, descriptor).Sign(atReceive.ToBytes(), _kit.Ours, null)).Field);
    }
}
