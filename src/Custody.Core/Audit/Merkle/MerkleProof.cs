using System.Security.Cryptography;

namespace Custody.Core.Audit.Merkle;

/// <summary>
/// Inclusion and consistency proofs: generated as RFC 6962 §2.1.1 (PATH) and §2.1.2
/// (PROOF/SUBPROOF) define them, verified with RFC 9162 §2.1.3.2 and §2.1.4.2, which
/// need only the proof, the sizes and the roots. Verification answers true or false and
/// never throws on a malformed proof.
/// </summary>
public static class MerkleProof
{
    /// <summary>The audit path of leaf <paramref name="index"/> in the tree of the first <paramref name="size"/> leaves.</summary>
    public static byte[][] Inclusion(IReadOnlyList<byte[]> leafHashes, long index, long size)
    {
        if (size < 1 || size > leafHashes.Count) throw new ArgumentOutOfRangeException(nameof(size), "the tree size lies outside the leaves");
        if (index < 0 || index >= size) throw new ArgumentOutOfRangeException(nameof(index), "the leaf lies outside the tree");
        return InclusionPath((start, end) => MerkleHash.Subtree(leafHashes, start, end), index, size);
    }

    /// <summary>PATH(index, D[size]) over any source of subtree hashes MTH(D[start:end]).</summary>
    internal static byte[][] InclusionPath(Func<long, long, byte[]> subtree, long index, long size)
    {
        var path = new List<byte[]>();
        AddPath(subtree, index, 0, size, path);
        return [.. path];
    }

    // PATH(m, D[start:end]): the sibling hashes from the leaf up, deepest first.
    private static void AddPath(Func<long, long, byte[]> subtree, long m, long start, long end, List<byte[]> path)
    {
        var n = end - start;
        if (n == 1) return;
        var k = MerkleHash.SplitPoint(n);
        if (m < k)
        {
            AddPath(subtree, m, start, start + k, path);
            path.Add(subtree(start + k, end));
        }
        else
        {
            AddPath(subtree, m - k, start + k, end, path);
            path.Add(subtree(start, start + k));
        }
    }

    /// <summary>
    /// The proof that the tree of the first <paramref name="size1"/> leaves is a prefix of the
    /// tree of the first <paramref name="size2"/>; empty when size1 is 0 or equals size2.
    /// </summary>
    public static byte[][] Consistency(IReadOnlyList<byte[]> leafHashes, long size1, long size2)
    {
        if (size2 > leafHashes.Count) throw new ArgumentOutOfRangeException(nameof(size2), "the tree size lies outside the leaves");
        if (size1 < 0 || size1 > size2) throw new ArgumentOutOfRangeException(nameof(size1), "the old size must lie between 0 and the new size");
        return ConsistencyPath((start, end) => MerkleHash.Subtree(leafHashes, start, end), size1, size2);
    }

    /// <summary>PROOF(size1, D[size2]) over any source of subtree hashes MTH(D[start:end]).</summary>
    internal static byte[][] ConsistencyPath(Func<long, long, byte[]> subtree, long size1, long size2)
    {
        if (size1 == 0 || size1 == size2) return [];
        var proof = new List<byte[]>();
        AddSubproof(subtree, size1, 0, size2, true, proof);
        return [.. proof];
    }

    // SUBPROOF(m, D[start:end], b): b tells whether the subtree is the old tree itself, whose root the verifier already has.
    private static void AddSubproof(Func<long, long, byte[]> subtree, long m, long start, long end, bool isOldTree, List<byte[]> proof)
    {
        var n = end - start;
        if (m == n)
        {
            if (!isOldTree) proof.Add(subtree(start, end));
            return;
        }
        var k = MerkleHash.SplitPoint(n);
        if (m <= k)
        {
            AddSubproof(subtree, m, start, start + k, isOldTree, proof);
            proof.Add(subtree(start + k, end));
        }
        else
        {
            AddSubproof(subtree, m - k, start + k, end, false, proof);
            proof.Add(subtree(start, start + k));
        }
    }

    /// <summary>RFC 9162 §2.1.3.2: does <paramref name="path"/> lead from the leaf hash to the root?</summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size || leafHash.Length != MerkleHash.Size || root.Length != MerkleHash.Size) return false;
        if (!AllHashes(path)) return false;
        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in path)
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleHash.Node(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = MerkleHash.Node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, root);
    }

    /// <summary>RFC 9162 §2.1.4.2: is the tree (size1, root1) a prefix of the tree (size2, root2)?</summary>
    public static bool VerifyConsistency(long size1, long size2, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2, IReadOnlyList<byte[]> proof)
    {
        if (size1 < 0 || size2 < size1 || root1.Length != MerkleHash.Size || root2.Length != MerkleHash.Size) return false;
        if (!AllHashes(proof)) return false;
        if (size1 == size2) return proof.Count == 0 && root1.SequenceEqual(root2);
        if (size1 == 0) return proof.Count == 0;
        if (proof.Count == 0) return false;

        // When the old tree is a complete subtree its root is the proof's implicit first element.
        IReadOnlyList<byte[]> path = long.IsPow2(size1) ? [root1.ToArray(), .. proof] : proof;
        var fn = size1 - 1;
        var sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        var fr = path[0];
        var sr = path[0];
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleHash.Node(c, fr);
                sr = MerkleHash.Node(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = MerkleHash.Node(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr.AsSpan().SequenceEqual(root1) && sr.AsSpan().SequenceEqual(root2);
    }

    private static bool AllHashes(IReadOnlyList<byte[]> hashes)
    {
        foreach (var h in hashes)
            if (h is null || h.Length != MerkleHash.Size) return false;
        return true;
    }
}
