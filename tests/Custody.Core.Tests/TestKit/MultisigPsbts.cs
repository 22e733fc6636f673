using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Descriptors;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;

namespace Custody.Core.Tests.TestKit;

/// <summary>
/// 2-of-3 multisig PSBTs as a coordinator writes them: our HD key and two cosigners' keys at a
/// BIP48 account, in any descriptor shape (P2SH, P2WSH, P2SH-P2WSH, or a tr() tree of multi_a /
/// pk leaves), two inputs and a change output back to the descriptor, every BIP174 / BIP371
/// field filled in. Shared by the co-signing round trips and the fuzz corpus.
/// </summary>
internal sealed class MultisigPsbts : IDisposable
{
    private static readonly KeyPath Account = KeyPath.Parse("m/48'/0'/0'/2'");
    private readonly ExtendedPrivateKey _cosigner = Master(2);
    private readonly ExtendedPrivateKey _third = Master(3);

    /// <summary>Our wallet: an HD ring over seed 1.</summary>
    public HdKeyRing Ours { get; } = Ring(1);

    /// <summary>The cosigner's master key (seed 2); <see cref="CosignerRing"/> is the same wallet as a ring.</summary>
    public ExtendedPrivateKey Cosigner => _cosigner;

    public static HdKeyRing CosignerRing() => Ring(2);

    private static byte[] Seed(byte n) => Hashes.Sha256([n, .. "custody multisig test"u8]);

    private static HdKeyRing Ring(byte n)
    {
        using var seed = SecretBytes.CopyFrom(Seed(n));
        return new HdKeyRing(seed, KeyCurve.Secp256k1);
    }

    private static ExtendedPrivateKey Master(byte n) => ExtendedPrivateKey.FromSeed(Seed(n));

    public void Dispose()
    {
        Ours.Dispose();
        _cosigner.Dispose();
        _third.Dispose();
    }

    private static string KeyText(uint fingerprint, ExtendedPublicKey accountKey) =>
        $"[{fingerprint:x8}/48h/0h/0h/2h]{accountKey.ToBase58(BitcoinNetwork.Mainnet)}/<0;1>/*";

    public static string AccountKeyOf(ExtendedPrivateKey master)
    {
        using var account = master.Derive(Account);
        return KeyText(master.Fingerprint.Value, account.Neuter());
    }

    public static string OurKey()
    {
        using var seed = SecretBytes.CopyFrom(Seed(1));
        using var master = ExtendedPrivateKey.FromSeed(seed.Span);
        return AccountKeyOf(master);
    }

    /// <summary>BIP341's suggested internal key with no known private key (H), for a tree that only its leaves can spend.</summary>
    public const string Nums = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0";

    // {0}: the 2-of-3 for OP_CHECKMULTISIG, {1}: the same keys as a tapscript leaf.
    public OutputDescriptor Descriptor(string shape) =>
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

    // BIP371 fields of the tree: every leaf with its control block, the internal key, the merkle root, each leaf key's origin and leaves.
    private static PsbtInput SpendLeaf(PsbtInput input, TaprootNode tree, int branch, uint index)
    {
        var internalKey = tree.InternalKey.Derive(branch, index).XOnly;
        var leaves = tree.TapTree(branch, index);
        var blocks = Taproot.ControlBlocks(internalKey, leaves, "tree");
        for (var i = 0; i < leaves.Count; i++) input = input.WithTapLeafScript(blocks[i], leaves[i].Script.Span, leaves[i].LeafVersion);
        input = input.WithTapInternalKey(internalKey).WithTapMerkleRoot(tree.MerkleRoot(branch, index));
        foreach (var (key, leafHashes) in LeafKeys(tree, branch, index)) input = input.WithTapBip32Derivation(key.XOnly, leafHashes, key.Origin!);
        return input;
    }

    // Each key of the tree's leaves with the hashes of the leaves it is in (a key may sign in several).
    private static List<(DerivedKey Key, IReadOnlyList<ReadOnlyMemory<byte>> LeafHashes)> LeafKeys(TaprootNode tree, int branch, uint index)
    {
        var keys = new List<(DerivedKey Key, IReadOnlyList<ReadOnlyMemory<byte>> LeafHashes)>();
        foreach (var leaf in tree.Leaves)
        {
            var leafHash = Taproot.LeafHash(Taproot.TapscriptLeafVersion, leaf.Script.Script(branch, index));
            foreach (var key in leaf.Script.Keys.Select(k => k.Derive(branch, index)))
            {
                var at = keys.FindIndex(k => k.Key.PublicKey.AsSpan().SequenceEqual(key.PublicKey));
                if (at < 0) keys.Add((key, [leafHash]));
                else keys[at] = (keys[at].Key, [.. keys[at].LeafHashes, leafHash]);
            }
        }
        return keys;
    }

    private static bool IsNestedSegwit(OutputDescriptor d) => d.Root is ScriptHashNode { Witness: false, Inner: ScriptHashNode };

    public static T WithScripts<T>(T map, OutputDescriptor descriptor, int branch, uint index, Func<T, byte[], T> redeem, Func<T, byte[], T> witness)
    {
        var outer = (ScriptHashNode)descriptor.Root;
        if (outer.Witness) return witness(map, outer.Inner.Script(branch, index));
        if (outer.Inner is ScriptHashNode inner) return witness(redeem(map, inner.Script(branch, index)), inner.Inner.Script(branch, index));
        return redeem(map, outer.Inner.Script(branch, index));
    }

    public PartiallySignedTransaction Build(OutputDescriptor descriptor, OutputDescriptor? changeTo = null)
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
        output = output.WithTapInternalKey(tree.InternalKey.Derive(1, 3).XOnly).WithTapTree(tree.TapTree(1, 3));
        foreach (var (key, leafHashes) in LeafKeys(tree, 1, 3)) output = output.WithTapBip32Derivation(key.XOnly, leafHashes, key.Origin!);
        return output;
    }

    // The cosigner's private key for each input, as its own wallet would derive it.
    public object[] CosignerKeys(PartiallySignedTransaction psbt) => psbt.Inputs.Select(input =>
    {
        var origin = input.Bip32Derivations.Select(d => d.Origin).Concat(input.TapBip32Derivations.Select(d => d.Origin))
            .Single(o => o.Fingerprint == _cosigner.Fingerprint.Value);
        using var key = _cosigner.Derive(origin.Path);
        return (object)new { input = input.Index, privateKey = Convert.ToHexStringLower(key.PrivateKey) };
    }).ToArray();
}
