using System.Text.Json;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Descriptors;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
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
    private static readonly KeyPath Account = KeyPath.Parse("m/48'/0'/0'/2'");
    private readonly HdKeyRing _ours = Ring(1);
    private readonly ExtendedPrivateKey _cosigner = Master(2);
    private readonly ExtendedPrivateKey _third = Master(3);

    private static byte[] Seed(byte n) => Hashes.Sha256([n, .. "custody multisig test"u8]);

    private static HdKeyRing Ring(byte n)
    {
        using var seed = SecretBytes.CopyFrom(Seed(n));
        return new HdKeyRing(seed, KeyCurve.Secp256k1);
    }

    private static ExtendedPrivateKey Master(byte n) => ExtendedPrivateKey.FromSeed(Seed(n));

    public void Dispose()
    {
        _ours.Dispose();
        _cosigner.Dispose();
        _third.Dispose();
    }

    private string KeyText(uint fingerprint, ExtendedPublicKey accountKey) =>
        $"[{fingerprint:x8}/48h/0h/0h/2h]{accountKey.ToBase58(BitcoinNetwork.Mainnet)}/<0;1>/*";

    private string AccountKeyOf(ExtendedPrivateKey master)
    {
        using var account = master.Derive(Account);
        return KeyText(master.Fingerprint.Value, account.Neuter());
    }

    private string OurKey()
    {
        using var seed = SecretBytes.CopyFrom(Seed(1));
        using var master = ExtendedPrivateKey.FromSeed(seed.Span);
        return AccountKeyOf(master);
    }

    /// <summary>BIP341's suggested internal key with no known private key (H), for a tree that only its leaves can spend.</summary>
    private const string Nums = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0";

    // {0}: the 2-of-3 for OP_CHECKMULTISIG, {1}: the same keys as a tapscript leaf.
    private OutputDescriptor Descriptor(string shape) =>
        OutputDescriptor.Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, shape,
            $"sortedmulti(2,{OurKey()},{AccountKeyOf(_cosigner)},{AccountKeyOf(_third)})",
            $"sortedmulti_a(2,{OurKey()},{AccountKeyOf(_cosigner)},{AccountKeyOf(_third)})"));

    private int _funding;

    /// <summary>An input spending the descriptor at (branch, index), with every field a coordinator writes.</summary>
    private (TxInput Input, Func<PsbtInput, PsbtInput> Update) Spend(OutputDescriptor descriptor, int branch, uint index, long amount)
    {
        var script = descriptor.ScriptPubKey(branch, index);
        var funding = new BitcoinTransaction(2, [new TxInput(new OutPoint(Hashes.Sha256([(byte)++_funding]), 0), [0x51], 0xffffffff)],
            [new TxOutput(amount, script)], 0);
        return (new TxInput(new OutPoint(funding.TxHash, 0), [], 0xfffffffd), input =>
        {
            if (descriptor.Root is TaprootNode tree) return SpendLeaf(input.WithWitnessUtxo(funding.Outputs[0]), tree, branch, index);
            input = input.WithNonWitnessUtxo(funding);
            if (BitcoinScript.TryGetWitnessProgram(script, out _, out _) || IsNestedSegwit(descriptor)) input = input.WithWitnessUtxo(funding.Outputs[0]);
            input = WithScripts(input, descriptor, branch, index, (i, s) => i.WithRedeemScript(s), (i, s) => i.WithWitnessScript(s));
            foreach (var key in descriptor.Root.Keys) input = input.WithBip32Derivation(key.Derive(branch, index).PublicKey, key.Derive(branch, index).Origin!);
            return input;
        });
    }

    // BIP371 fields of a one-leaf tree: the leaf with its control block, the internal key, the merkle root, each leaf key's origin.
    private static PsbtInput SpendLeaf(PsbtInput input, TaprootNode tree, int branch, uint index)
    {
        var internalKey = tree.InternalKey.Derive(branch, index).XOnly;
        var leaf = tree.Leaves.Single().Script;
        var script = leaf.Script(branch, index);
        var leafHash = Taproot.LeafHash(Taproot.TapscriptLeafVersion, script);
        Secp256k1.TaprootOutputKey(internalKey, leafHash, out var parity);
        input = input.WithTapLeafScript([(byte)(Taproot.TapscriptLeafVersion | parity), .. internalKey], script, Taproot.TapscriptLeafVersion)
            .WithTapInternalKey(internalKey).WithTapMerkleRoot(leafHash);
        foreach (var key in leaf.Keys) input = input.WithTapBip32Derivation(key.Derive(branch, index).XOnly, [leafHash], key.Derive(branch, index).Origin!);
        return input;
    }

    private static bool IsNestedSegwit(OutputDescriptor d) => d.Root is ScriptHashNode { Witness: false, Inner: ScriptHashNode };

    private static T WithScripts<T>(T map, OutputDescriptor descriptor, int branch, uint index, Func<T, byte[], T> redeem, Func<T, byte[], T> witness)
    {
        var outer = (ScriptHashNode)descriptor.Root;
        if (outer.Witness) return witness(map, outer.Inner.Script(branch, index));
        if (outer.Inner is ScriptHashNode inner) return witness(redeem(map, inner.Script(branch, index)), inner.Inner.Script(branch, index));
        return redeem(map, outer.Inner.Script(branch, index));
    }

    private PartiallySignedTransaction Build(OutputDescriptor descriptor, OutputDescriptor? changeTo = null)
    {
        var inputs = new[] { Spend(descriptor, 0, 0, 60_000), Spend(descriptor, 0, 7, 50_000) };
        changeTo ??= descriptor;
        var change = new TxOutput(39_000, changeTo.ScriptPubKey(1, 3));
        var payment = new TxOutput(70_000, BitcoinScript.P2wpkh(Enumerable.Repeat((byte)0x21, 20).ToArray()));
        var tx = new BitcoinTransaction(2, inputs.Select(i => i.Input), [payment, change], 0);
        var psbt = PartiallySignedTransaction.Create(tx);
        for (var i = 0; i < inputs.Length; i++) psbt = psbt.WithInput(inputs[i].Update(psbt.Inputs[i]));
        return psbt.WithOutput(changeTo.Root is TaprootNode tree ? ChangeLeaf(psbt.Outputs[1], tree) : ChangeOutput(psbt.Outputs[1], changeTo));
    }

    private static PsbtOutput ChangeOutput(PsbtOutput output, OutputDescriptor changeTo)
    {
        output = WithScripts(output, changeTo, 1, 3, (o, s) => o.WithRedeemScript(s), (o, s) => o.WithWitnessScript(s));
        foreach (var key in changeTo.Root.Keys) output = output.WithBip32Derivation(key.Derive(1, 3).PublicKey, key.Derive(1, 3).Origin!);
        return output;
    }

    private static PsbtOutput ChangeLeaf(PsbtOutput output, TaprootNode tree)
    {
        var leafHash = Taproot.LeafHash(Taproot.TapscriptLeafVersion, tree.Leaves.Single().Script.Script(1, 3));
        output = output.WithTapInternalKey(tree.InternalKey.Derive(1, 3).XOnly).WithTapTree(tree.TapTree(1, 3));
        foreach (var key in tree.Leaves.Single().Script.Keys) output = output.WithTapBip32Derivation(key.Derive(1, 3).XOnly, [leafHash], key.Derive(1, 3).Origin!);
        return output;
    }

    // The cosigner's private key for each input, as its own wallet would derive it.
    private object[] CosignerKeys(PartiallySignedTransaction psbt) => psbt.Inputs.Select(input =>
    {
        var origin = input.Bip32Derivations.Select(d => d.Origin).Concat(input.TapBip32Derivations.Select(d => d.Origin))
            .Single(o => o.Fingerprint == _cosigner.Fingerprint.Value);
        using var key = _cosigner.Derive(origin.Path);
        return (object)new { input = input.Index, privateKey = Convert.ToHexStringLower(key.PrivateKey) };
    }).ToArray();

    public static TheoryData<string> Shapes => new() { "wsh({0})", "sh(wsh({0}))", "sh({0})", $"tr({Nums},{{1}})" };

    [NodeTheory("tests/crosscheck/bitcoin", "bitcoinjs-lib")]
    [MemberData(nameof(Shapes))]
    public void Two_of_three_round_trip_with_a_bitcoinjs_cosigner(string shape)
    {
        var descriptor = Descriptor(shape);
        var unsigned = Build(descriptor);
        var codec = new PsbtCodec(Btc, descriptor);

        var ours = codec.Sign(unsigned.ToBytes(), _ours, null);
        Assert.Equal([new InputSigning("input[0]", true, 1), new InputSigning("input[1]", true, 1)], ours.Inputs);
        Assert.Equal([false, true], ours.Intent.Outputs.Select(o => o.IsChange));
        // Segwit inputs fix their scriptSig in advance, so the txid is known; a legacy P2SH one's is not.
        Assert.Equal(shape == "sh({0})" ? 0 : 64, ours.TxId.Length);
        var missing = Assert.Throws<InvalidInputException>(() => codec.FinalizeAndExtract(PartiallySignedTransaction.ParseBase64(ours.Payload).ToBytes()));
        Assert.Contains("input[0] needs 1 more signature", missing.Reason, StringComparison.Ordinal);

        using var answer = JsonDocument.Parse(Node.Run("tests/crosscheck/bitcoin", "cosign.mjs",
            JsonSerializer.Serialize(new { psbt = unsigned.ToBase64(), ours = ours.Payload, keys = CosignerKeys(unsigned) })));
        var theirs = answer.RootElement.GetProperty("cosigned").GetString()!;

        var combined = codec.Combine([PartiallySignedTransaction.DecodeBase64(ours.Payload), PartiallySignedTransaction.DecodeBase64(theirs)]);
        var (final, tx) = codec.FinalizeAndExtract(combined.ToBytes());
        Assert.True(final.IsFinalized);

        // bitcoinjs combined and finalised the same two PSBTs itself: the same transaction.
        Assert.Equal(answer.RootElement.GetProperty("txHex").GetString(), tx.ToHex());
        Assert.Equal(answer.RootElement.GetProperty("txid").GetString(), tx.TxId);
        if (ours.TxId.Length > 0) Assert.Equal(ours.TxId, tx.TxId);

        // NBitcoin: the same txid, and every input passes its script interpreter under the standard flags.
        var theirTx = NB.Transaction.Parse(tx.ToHex(), NB.Network.Main);
        Assert.Equal(theirTx.GetHash().ToString(), tx.TxId);
        var spent = SpentOutputs.Resolve(final, BitcoinNetwork.Mainnet)
            .Select(s => new NB.TxOut(NB.Money.Satoshis(s.Value), NB.Script.FromBytesUnsafe(s.ScriptPubKey.ToArray()))).ToArray();
        var data = theirTx.PrecomputeTransactionData(spent);
        foreach (var input in theirTx.Inputs.AsIndexedInputs())
            Assert.True(input.VerifyScript(spent[input.Index], NB.ScriptVerify.Standard, data, out var error), $"{shape}: input {input.Index}: {error}");
    }

    [Fact]
    public void Conflicting_combines_are_refused_naming_the_field()
    {
        var descriptor = Descriptor("wsh({0})");
        var unsigned = Build(descriptor);
        var codec = new PsbtCodec(Btc, descriptor);
        var ours = PartiallySignedTransaction.ParseBase64(codec.Sign(unsigned.ToBytes(), _ours, null).Payload);

        // Two different signatures for one key.
        var partial = ours.Inputs[0].PartialSignatures.Single();
        var forged = partial.Signature.ToArray();
        forged[10] ^= 1;
        var other = ours.WithInput(new PsbtInput(0, ours.Inputs[0].Map.With(PsbtKeyValue.Create(PsbtInputKey.PartialSig, partial.PublicKey.Span, forged))));
        var e = Assert.Throws<InvalidInputException>(() => codec.Combine([ours.ToBytes(), other.ToBytes()]));
        Assert.Equal("psbt[1].input[0].partial_sig", e.Field);

        // A differing witness script (another 2-of-3) for the same input.
        var stranger = unsigned.WithInput(unsigned.Inputs[1].WithWitnessScript(Descriptor("wsh({0})").Root is ScriptHashNode s ? s.Inner.Script(0, 8) : []));
        e = Assert.Throws<InvalidInputException>(() => codec.Combine([ours.ToBytes(), stranger.ToBytes()]));
        Assert.Equal("psbt[1].input[1].witness_script", e.Field);

        // Another transaction altogether.
        var elsewhere = Build(Descriptor("sh(wsh({0}))"));
        Assert.Equal("psbt[1].global.unsigned_tx", Assert.Throws<InvalidInputException>(() => codec.Combine([ours.ToBytes(), elsewhere.ToBytes()])).Field);
    }

    [Fact]
    public void A_bad_cosigner_signature_is_refused_by_the_finaliser()
    {
        var descriptor = Descriptor("wsh({0})");
        var unsigned = Build(descriptor);
        var codec = new PsbtCodec(Btc, descriptor);
        var ours = PartiallySignedTransaction.ParseBase64(codec.Sign(unsigned.ToBytes(), _ours, null).Payload);
        // Our own signature under the cosigner's key: well-formed, but it does not verify.
        var cosignerKey = ours.Inputs[0].Bip32Derivations.Single(d => d.Origin.Fingerprint == _cosigner.Fingerprint.Value).PublicKey.Span;
        var bad = ours.WithInput(ours.Inputs[0].WithPartialSignature(cosignerKey, ours.Inputs[0].PartialSignatures.Single().Signature.Span));
        var e = Assert.Throws<InvalidInputException>(() => codec.FinalizeAndExtract(bad.ToBytes()));
        Assert.Equal("input[0].partial_sig", e.Field);
        Assert.Contains("does not verify", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Change_to_another_descriptor_is_not_change()
    {
        var descriptor = Descriptor("wsh({0})");
        // The same keys in another arrangement (2-of-2 of ours and the cosigner's): our key, another script.
        var elsewhere = OutputDescriptor.Parse($"wsh(sortedmulti(2,{OurKey()},{AccountKeyOf(_cosigner)}))");
        var psbt = Build(descriptor, changeTo: elsewhere);
        var e = Assert.Throws<InvalidInputException>(() => new PsbtCodec(Btc, descriptor).Sign(psbt.ToBytes(), _ours, null));
        Assert.Equal("output[1]", e.Field);
        Assert.Contains("neither the account's descriptor at a change index", e.Reason, StringComparison.Ordinal);

        // A receive index of our own descriptor is not change either.
        var receive = Build(descriptor);
        var output = receive.Outputs[1];
        var tx = receive.UnsignedTransaction;
        var outputs = tx.Outputs.ToArray();
        outputs[1] = new TxOutput(outputs[1].Value, descriptor.ScriptPubKey(0, 3));
        var atReceive = PartiallySignedTransaction.Create(new BitcoinTransaction(tx.Version, tx.Inputs, outputs, tx.LockTime));
        for (var i = 0; i < receive.Inputs.Count; i++) atReceive = atReceive.WithInput(new PsbtInput(i, receive.Inputs[i].Map));
        atReceive = atReceive.WithOutput(new PsbtOutput(1, output.Map));
        Assert.Equal("output[1]", Assert.Throws<InvalidInputException>(() => new PsbtCodec(Btc, descriptor).Sign(atReceive.ToBytes(), _ours, null)).Field);
    }
}
