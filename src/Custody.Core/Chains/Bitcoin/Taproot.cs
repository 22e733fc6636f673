using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Wire;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin;

/// <summary>BIP341 script-tree hashing: leaf and branch hashes, and a tree's merkle root.</summary>
public static class Taproot
{
    public const byte TapscriptLeafVersion = 0xc0;
    public const int MaxTreeDepth = 128;

    public static byte[] LeafHash(byte leafVersion, ReadOnlySpan<byte> script)
    {
        var writer = new WireWriter(script.Length + 10);
        writer.WriteByte(leafVersion);
        writer.WriteVarBytes(script);
        return Hashes.TaggedHash("TapLeaf", writer.WrittenSpan);
    }

    public static byte[] BranchHash(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Span<byte> data = stackalloc byte[64];
        var ordered = a.SequenceCompareTo(b) <= 0;
        (ordered ? a : b).CopyTo(data);
        (ordered ? b : a).CopyTo(data[32..]);
        return Hashes.TaggedHash("TapBranch", data);
    }

    /// <summary>
    /// Whether <paramref name="controlBlock"/> proves the leaf (<paramref name="leafVersion"/>,
    /// <paramref name="script"/>) is in the tree of <paramref name="outputKey"/> (BIP341's script-path
    /// check): its leaf version is the leaf's, and the leaf hash taken up the block's path to a root
    /// tweaks the block's internal key into the output key with the parity the block states.
    /// </summary>
    public static bool ControlBlockCommits(ReadOnlySpan<byte> controlBlock, byte leafVersion, ReadOnlySpan<byte> script, ReadOnlySpan<byte> outputKey)
    {
        if (controlBlock.Length < 33 || (controlBlock.Length - 33) % 32 != 0 || (controlBlock.Length - 33) / 32 > MaxTreeDepth) return false;
        if ((controlBlock[0] & 0xfe) != leafVersion) return false;
        var node = LeafHash(leafVersion, script);
        for (var at = 33; at < controlBlock.Length; at += 32) node = BranchHash(node, controlBlock.Slice(at, 32));
        try
        {
            var derived = Secp256k1.TaprootOutputKey(controlBlock[1..33], node, out var parity);
            return derived.AsSpan().SequenceEqual(outputKey) && parity == (controlBlock[0] & 1);
        }
        catch (InvalidInputException)
        {
            return false; // the block's internal key is not a point
        }
    }

    /// <summary>
    /// The merkle root of leaves given depth-first with their depths (PSBT_OUT_TAP_TREE).
    /// The depths must describe a complete binary tree, otherwise the field is refused.
    /// </summary>
    public static byte[] MerkleRoot(IReadOnlyList<PsbtTapTreeLeaf> leaves, string field) => Fold(leaves, field, null);

    /// <summary>
    /// The control block of each leaf (same order) for a script-path spend of the output that
    /// <paramref name="internalKey"/> and the tree make (BIP341): leaf version with the output
    /// key's parity, the internal key, then the sibling hashes from the leaf up to the root.
    /// </summary>
    public static IReadOnlyList<byte[]> ControlBlocks(ReadOnlySpan<byte> internalKey, IReadOnlyList<PsbtTapTreeLeaf> leaves, string field)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var paths = leaves.Select(_ => new List<byte>()).ToArray();
        var root = Fold(leaves, field, (left, right, leftHash, rightHash) =>
        {
            for (var leaf = left.Start; leaf < left.End; leaf++) paths[leaf].AddRange(rightHash);
            for (var leaf = right.Start; leaf < right.End; leaf++) paths[leaf].AddRange(leftHash);
        });
        Secp256k1.TaprootOutputKey(internalKey, root, out var parity);
        var prefix = internalKey.ToArray();
        return [.. leaves.Select((leaf, i) => (byte[])[(byte)(leaf.LeafVersion | parity), .. prefix, .. paths[i]])];
    }

    // Combines the depth-first leaves into their root; each merge tells onMerge which leaves (by
    // index) lie under the left and the right child, and the two children's hashes.
    private static byte[] Fold(IReadOnlyList<PsbtTapTreeLeaf> leaves, string field, Action<(int Start, int End), (int Start, int End), byte[], byte[]>? onMerge)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        if (leaves.Count == 0) throw new InvalidInputException(field, "a tap tree has at least one leaf");
        var stack = new List<(int Depth, byte[] Hash, (int Start, int End) Leaves)>();
        for (var i = 0; i < leaves.Count; i++)
        {
            var leaf = leaves[i];
            if (leaf.Depth > MaxTreeDepth) throw new InvalidInputException(field, $"leaf depth {leaf.Depth} exceeds {MaxTreeDepth}");
            stack.Add((leaf.Depth, LeafHash(leaf.LeafVersion, leaf.Script.Span), (i, i + 1)));
            while (stack.Count >= 2 && stack[^1].Depth == stack[^2].Depth && stack[^1].Depth > 0)
            {
                var right = stack[^1];
                var left = stack[^2];
                stack.RemoveRange(stack.Count - 2, 2);
                onMerge?.Invoke(left.Leaves, right.Leaves, left.Hash, right.Hash);
                stack.Add((left.Depth - 1, BranchHash(left.Hash, right.Hash), (left.Leaves.Start, right.Leaves.End)));
            }
        }
        if (stack.Count != 1 || stack[0].Depth != 0)
            throw new InvalidInputException(field, "leaf depths do not form a complete binary tree in depth-first order");
        return stack[0].Hash;
    }
}
