using System.Security.Cryptography;

namespace Custody.Core.Audit.Merkle;

/// <summary>
/// RFC 6962 §2.1 tree hashing with SHA-256. Leaves and interior nodes hash under
/// different one-byte prefixes (0x00, 0x01), so a leaf can never pass for a node.
/// </summary>
public static class MerkleHash
{
    public const int Size = 32;

    /// <summary>MTH({}) = SHA-256 of the empty string.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>SHA-256(0x00 ‖ data).</summary>
    public static byte[] Leaf(ReadOnlySpan<byte> data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData([0x00]);
        sha.AppendData(data);
        return sha.GetHashAndReset();
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right).</summary>
    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != Size || right.Length != Size)
            throw new ArgumentException("Merkle node children are 32-byte hashes");
        Span<byte> buffer = stackalloc byte[1 + 2 * Size];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + Size)..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>MTH(D[n]) over leaf hashes (RFC 6962 §2.1), for the whole list.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes) => Subtree(leafHashes, 0, leafHashes.Count);

    /// <summary>MTH of the leaves [start, end).</summary>
    public static byte[] Subtree(IReadOnlyList<byte[]> leafHashes, long start, long end)
    {
        if (start < 0 || end > leafHashes.Count || start > end)
            throw new ArgumentOutOfRangeException(nameof(end), "the range lies outside the leaves");
        if (start == end) return EmptyRoot();
        // A compact range of the leaves folds to the same root as the recursive definition,
        // without recursion and with O(log n) memory.
        var state = new MerkleTreeState();
        for (var i = start; i < end; i++) state.Append(leafHashes[(int)i]);
        return state.Root();
    }

    /// <summary>The largest power of two strictly smaller than n (n ≥ 2): where RFC 6962 splits a tree.</summary>
    internal static long SplitPoint(long n) => 1L << (63 - (int)long.LeadingZeroCount(n - 1));
}
