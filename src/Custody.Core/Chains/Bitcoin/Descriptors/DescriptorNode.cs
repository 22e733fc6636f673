using System.Text;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin.Descriptors;

/// <summary>
/// One script expression of a descriptor (BIP381–387). Each node produces its script for a
/// (branch, index) pair and reports the keys it uses, so the descriptor can state what a
/// PSBT must carry to spend or receive at that index.
/// </summary>
public abstract class DescriptorNode
{
    internal abstract string Name { get; }

    /// <summary>The keys of this expression, in the order written.</summary>
    public abstract IReadOnlyList<DescriptorKey> Keys { get; }

    /// <summary>The script this expression produces at the index (the output script at the top, the redeem / witness / leaf script inside).</summary>
    public abstract byte[] Script(int branch, uint index);

    internal abstract void Write(StringBuilder text, BitcoinNetwork network);

    internal static void WriteKeys(StringBuilder text, BitcoinNetwork network, string name, int? threshold, IReadOnlyList<DescriptorKey> keys)
    {
        text.Append(name).Append('(');
        if (threshold is { } k) text.Append(k).Append(',');
        text.AppendJoin(',', keys.Select(key => key.ToString(network))).Append(')');
    }
}

/// <summary>pk(KEY), pkh(KEY), wpkh(KEY).</summary>
public sealed class SingleKeyNode : DescriptorNode
{
    internal SingleKeyNode(string name, DescriptorKey key)
    {
        Name = name;
        Key = key;
    }

    internal override string Name { get; }

    public DescriptorKey Key { get; }

    public override IReadOnlyList<DescriptorKey> Keys => [Key];

    public override byte[] Script(int branch, uint index)
    {
        var key = Key.Derive(branch, index);
        return Name switch
        {
            "pk" => Key.XOnly || InTapscript
                ? [.. BitcoinScript.Push(key.XOnly), BitcoinScript.OpCheckSig]
                : [.. BitcoinScript.Push(key.PublicKey), BitcoinScript.OpCheckSig],
            "pkh" => BitcoinScript.P2pkh(Hashes.Hash160(key.PublicKey)),
            _ => BitcoinScript.P2wpkh(Hashes.Hash160(key.PublicKey)),
        };
    }

    /// <summary>A pk() leaf of a tr() tree pushes the x-only key.</summary>
    internal bool InTapscript { get; init; }

    internal override void Write(StringBuilder text, BitcoinNetwork network) => WriteKeys(text, network, Name, null, Keys);
}

/// <summary>multi / sortedmulti (BIP383, OP_CHECKMULTISIG) and multi_a / sortedmulti_a (BIP387, tapscript OP_CHECKSIGADD).</summary>
public sealed class MultisigNode : DescriptorNode
{
    internal MultisigNode(int threshold, IReadOnlyList<DescriptorKey> keys, bool sorted, bool tapscript)
    {
        Threshold = threshold;
        Keys = keys;
        Sorted = sorted;
        Tapscript = tapscript;
    }

    internal override string Name => (Sorted ? "sortedmulti" : "multi") + (Tapscript ? "_a" : "");

    /// <summary>k: signatures the script needs.</summary>
    public int Threshold { get; }

    public override IReadOnlyList<DescriptorKey> Keys { get; }

    /// <summary>Keys sorted (BIP67 order of the derived keys) instead of as written.</summary>
    public bool Sorted { get; }

    /// <summary>multi_a: x-only keys with OP_CHECKSIG / OP_CHECKSIGADD, for tr() leaves.</summary>
    public bool Tapscript { get; }

    /// <summary>The keys in script order at the index, 33-byte (x-only in tapscript).</summary>
    public IReadOnlyList<byte[]> ScriptKeys(int branch, uint index)
    {
        var keys = Keys.Select(k => Tapscript ? k.Derive(branch, index).XOnly : k.Derive(branch, index).PublicKey).ToList();
        if (Sorted) keys.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        return keys;
    }

    public override byte[] Script(int branch, uint index)
    {
        var script = new List<byte>();
        var keys = ScriptKeys(branch, index);
        if (!Tapscript)
        {
            script.AddRange(BitcoinScript.Push(Threshold));
            foreach (var key in keys) script.AddRange(BitcoinScript.Push(key));
            script.AddRange(BitcoinScript.Push(keys.Count));
            script.Add(MultisigScript.OpCheckMultisig);
            return [.. script];
        }
        for (var i = 0; i < keys.Count; i++)
        {
            script.AddRange(BitcoinScript.Push(keys[i]));
            script.Add(i == 0 ? BitcoinScript.OpCheckSig : MultisigScript.OpCheckSigAdd);
        }
        script.AddRange(BitcoinScript.Push(Threshold));
        script.Add(MultisigScript.OpNumEqual);
        return [.. script];
    }

    internal override void Write(StringBuilder text, BitcoinNetwork network) => WriteKeys(text, network, Name, Threshold, Keys);
}

/// <summary>sh(SCRIPT) and wsh(SCRIPT) (BIP381, BIP382): the inner script is the redeem / witness script.</summary>
public sealed class ScriptHashNode : DescriptorNode
{
    internal ScriptHashNode(bool witness, DescriptorNode inner)
    {
        Witness = witness;
        Inner = inner;
    }

    internal override string Name => Witness ? "wsh" : "sh";

    public bool Witness { get; }

    public DescriptorNode Inner { get; }

    public override IReadOnlyList<DescriptorKey> Keys => Inner.Keys;

    public override byte[] Script(int branch, uint index)
    {
        var inner = Inner.Script(branch, index);
        return Witness ? BitcoinScript.Witness(0, Hashes.Sha256(inner)) : BitcoinScript.P2sh(Hashes.Hash160(inner));
    }

    internal override void Write(StringBuilder text, BitcoinNetwork network)
    {
        text.Append(Name).Append('(');
        Inner.Write(text, network);
        text.Append(')');
    }
}

/// <summary>One leaf of a tr() script tree at its depth, leaves in depth-first order (the shape PSBT_OUT_TAP_TREE writes).</summary>
public sealed record TapLeafNode(int Depth, DescriptorNode Script);

/// <summary>tr(KEY) and tr(KEY, TREE) (BIP386): the internal key tweaked with the tree's merkle root.</summary>
public sealed class TaprootNode : DescriptorNode
{
    internal TaprootNode(DescriptorKey internalKey, IReadOnlyList<TapLeafNode> leaves)
    {
        InternalKey = internalKey;
        Leaves = leaves;
    }

    internal override string Name => "tr";

    public DescriptorKey InternalKey { get; }

    /// <summary>Leaves depth-first; empty for a key-path-only output.</summary>
    public IReadOnlyList<TapLeafNode> Leaves { get; }

    public override IReadOnlyList<DescriptorKey> Keys => [InternalKey, .. Leaves.SelectMany(l => l.Script.Keys)];

    /// <summary>The merkle root at the index, empty without a tree.</summary>
    public byte[] MerkleRoot(int branch, uint index)
    {
        var leaves = TapTree(branch, index);
        return leaves.Count == 0 ? [] : Taproot.MerkleRoot(leaves, "descriptor");
    }

    /// <summary>The tree's leaves at the index as PSBT_OUT_TAP_TREE lists them.</summary>
    public IReadOnlyList<PsbtTapTreeLeaf> TapTree(int branch, uint index) =>
        [.. Leaves.Select(l => new PsbtTapTreeLeaf((byte)l.Depth, Taproot.TapscriptLeafVersion, l.Script.Script(branch, index)))];

    public override byte[] Script(int branch, uint index) =>
        BitcoinScript.P2tr(Secp256k1.TaprootOutputKey(InternalKey.Derive(branch, index).XOnly, MerkleRoot(branch, index)));

    internal override void Write(StringBuilder text, BitcoinNetwork network)
    {
        text.Append("tr(").Append(InternalKey.ToString(network));
        if (Leaves.Count > 0) text.Append(',').Append(TreeText(network));
        text.Append(')');
    }

    // Rebuilds {A,B} nesting from the depth-first leaves.
    private string TreeText(BitcoinNetwork network)
    {
        var position = 0;
        return Subtree(0);

        string Subtree(int depth)
        {
            var leaf = Leaves[position];
            if (leaf.Depth == depth)
            {
                position++;
                var text = new StringBuilder();
                leaf.Script.Write(text, network);
                return text.ToString();
            }
            var left = Subtree(depth + 1);
            var right = Subtree(depth + 1);
            return "{" + left + "," + right + "}";
        }
    }
}
