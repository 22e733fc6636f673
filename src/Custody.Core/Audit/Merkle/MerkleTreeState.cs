namespace Custody.Core.Audit.Merkle;

/// <summary>
/// The right edge of a growing RFC 6962 tree: one hash per complete subtree, as many
/// as there are set bits in <see cref="Size"/>, largest (leftmost) first. Appending a
/// leaf merges equal-sized subtrees like a binary carry, so it costs O(log n) hashes and
/// never re-reads the log; the root folds the edge from the right.
/// </summary>
public sealed class MerkleTreeState
{
    private readonly List<byte[]> _edge;

    public MerkleTreeState() => _edge = [];

    private MerkleTreeState(long size, List<byte[]> edge)
    {
        Size = size;
        _edge = edge;
    }

    public long Size { get; private set; }

    /// <summary>The complete-subtree hashes, largest first (copies).</summary>
    public IReadOnlyList<byte[]> RightEdge => _edge.Select(h => (byte[])h.Clone()).ToList();

    /// <summary>Rebuilds a state from a stored right edge; the count must match the size's set bits.</summary>
    public static MerkleTreeState FromRightEdge(long size, IEnumerable<byte[]> edge)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var hashes = edge.Select(h => h.Length == MerkleHash.Size
            ? (byte[])h.Clone()
            : throw new InvalidInputException("right_edge", "each hash is 32 bytes")).ToList();
        if (hashes.Count != long.PopCount(size))
            throw new InvalidInputException("right_edge", $"a tree of {size} leaves has {long.PopCount(size)} edge hashes, not {hashes.Count}");
        return new MerkleTreeState(size, hashes);
    }

    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHash.Size) throw new ArgumentException("a leaf hash is 32 bytes");
        var hash = leafHash.ToArray();
        // Each trailing one bit of the old size is a complete subtree of the new leaf's size: merge it.
        for (var size = Size; (size & 1) == 1; size >>= 1)
        {
            hash = MerkleHash.Node(_edge[^1], hash);
            _edge.RemoveAt(_edge.Count - 1);
        }
        _edge.Add(hash);
        Size++;
    }

    public byte[] Root()
    {
        if (_edge.Count == 0) return MerkleHash.EmptyRoot();
        var root = _edge[^1];
        for (var i = _edge.Count - 2; i >= 0; i--)
            root = MerkleHash.Node(_edge[i], root);
        return (byte[])root.Clone();
    }

    public MerkleTreeState Clone() => new(Size, [.. _edge]);

    /// <summary>
    /// The RFC 6962 consistency proof from this tree to the tree with <paramref name="appended"/>
    /// leaves added, without the rest of the log: every node the proof takes from the old tree is
    /// one of its complete subtrees, which the right edge holds (largest, leftmost first).
    /// </summary>
    public ConsistencyProof ConsistencyProof(IReadOnlyList<byte[]> appended)
    {
        ArgumentNullException.ThrowIfNull(appended);
        var oldSize = Size;
        var edge = new Dictionary<long, (long End, byte[] Hash)>();
        long start = 0;
        var next = 0;
        for (var bit = 62; bit >= 0; bit--)
        {
            if (((oldSize >> bit) & 1) == 0) continue;
            edge[start] = (start + (1L << bit), _edge[next++]);
            start += 1L << bit;
        }
        byte[] Subtree(long from, long to) =>
            from >= oldSize ? MerkleHash.Subtree(appended, from - oldSize, to - oldSize)
            : edge.TryGetValue(from, out var node) && node.End == to ? node.Hash
            : throw new InvalidOperationException($"the subtree {from}..{to} is not on the right edge of {oldSize} leaves");
        return new ConsistencyProof(oldSize, oldSize + appended.Count, MerkleProof.ConsistencyPath(Subtree, oldSize, oldSize + appended.Count));
    }
}
