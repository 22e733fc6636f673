namespace Custody.Core.Audit.Merkle;

/// <summary>
/// An append-only RFC 6962 tree in memory that keeps the hash of every complete subtree
/// (about 2n hashes for n leaves, packed 32 bytes each). With them the root of any prefix,
/// any inclusion proof and any consistency proof cost O(log n) lookups and hashes instead
/// of re-hashing the leaves, which keeps a full replay of the log linear.
/// </summary>
public sealed class MerkleTree
{
    // _levels[h] holds the hashes of the complete subtrees of 2^h leaves, left to right.
    private readonly List<HashList> _levels = [new HashList()];

    public long Size => _levels[0].Count;

    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHash.Size) throw new ArgumentException("a leaf hash is 32 bytes");
        _levels[0].Add(leafHash);
        // Each completed pair makes a parent one level up, like a binary carry.
        for (var h = 0; _levels[h].Count % 2 == 0; h++)
        {
            var level = _levels[h];
            var parent = MerkleHash.Node(level[level.Count - 2], level[level.Count - 1]);
            if (_levels.Count == h + 1) _levels.Add(new HashList());
            _levels[h + 1].Add(parent);
        }
    }

    /// <summary>The leaf hash at <paramref name="index"/>.</summary>
    public byte[] Leaf(long index) => _levels[0][index].ToArray();

    /// <summary>MTH of the first <paramref name="size"/> leaves.</summary>
    public byte[] Root(long size)
    {
        if (size < 0 || size > Size) throw new ArgumentOutOfRangeException(nameof(size), "the size lies outside the tree");
        return size == 0 ? MerkleHash.EmptyRoot() : Hash(0, size);
    }

    public byte[] Root() => Root(Size);

    public InclusionProof InclusionProof(long index, long size)
    {
        if (size < 1 || size > Size) throw new ArgumentOutOfRangeException(nameof(size), "the tree size lies outside the tree");
        if (index < 0 || index >= size) throw new ArgumentOutOfRangeException(nameof(index), "the leaf lies outside the tree");
        return new InclusionProof(index, size, MerkleProof.InclusionPath(Hash, index, size));
    }

    public ConsistencyProof ConsistencyProof(long size1, long size2)
    {
        if (size2 > Size) throw new ArgumentOutOfRangeException(nameof(size2), "the tree size lies outside the tree");
        if (size1 < 0 || size1 > size2) throw new ArgumentOutOfRangeException(nameof(size1), "the old size must lie between 0 and the new size");
        return new ConsistencyProof(size1, size2, MerkleProof.ConsistencyPath(Hash, size1, size2));
    }

    /// <summary>The compact right edge of the first <paramref name="size"/> leaves, to append on from.</summary>
    public MerkleTreeState State(long size)
    {
        if (size < 0 || size > Size) throw new ArgumentOutOfRangeException(nameof(size), "the size lies outside the tree");
        return MerkleTreeState.FromRightEdge(size, Decompose(0, size).Select(p => p.ToArray()));
    }

    // MTH(D[start:end]) for the ranges RFC 6962's recursion produces, whose start is a multiple
    // of the largest power of two not above their length: those split into complete subtrees,
    // largest first, and fold from the right.
    private byte[] Hash(long start, long end)
    {
        var parts = Decompose(start, end);
        var hash = parts[^1].ToArray();
        for (var i = parts.Count - 2; i >= 0; i--)
            hash = MerkleHash.Node(parts[i].Span, hash);
        return hash;
    }

    private List<ReadOnlyMemory<byte>> Decompose(long start, long end)
    {
        var parts = new List<ReadOnlyMemory<byte>>();
        var previousHeight = 64;
        for (var s = start; s < end;)
        {
            var height = Math.Min(s == 0 ? 63 : (int)long.TrailingZeroCount(s), 63 - (int)long.LeadingZeroCount(end - s));
            if (height >= previousHeight) throw new ArgumentException("the range is not one RFC 6962 builds a subtree of");
            parts.Add(_levels[height].Memory(s >> height));
            s += 1L << height;
            previousHeight = height;
        }
        return parts;
    }

    /// <summary>32-byte hashes packed in one growing buffer: no per-hash object.</summary>
    private sealed class HashList
    {
        private byte[] _buffer = new byte[MerkleHash.Size * 64];

        public long Count { get; private set; }

        public ReadOnlySpan<byte> this[long index] => _buffer.AsSpan(checked((int)(index * MerkleHash.Size)), MerkleHash.Size);

        public ReadOnlyMemory<byte> Memory(long index) => _buffer.AsMemory(checked((int)(index * MerkleHash.Size)), MerkleHash.Size);

        public void Add(ReadOnlySpan<byte> hash)
        {
            var offset = checked((int)(Count * MerkleHash.Size));
            if (offset + MerkleHash.Size > _buffer.Length)
                Array.Resize(ref _buffer, checked(Math.Max(_buffer.Length * 2, offset + MerkleHash.Size)));
            hash.CopyTo(_buffer.AsSpan(offset));
            Count++;
        }
    }
}
