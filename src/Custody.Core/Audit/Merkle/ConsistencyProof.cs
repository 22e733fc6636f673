namespace Custody.Core.Audit.Merkle;

/// <summary>The proof that the tree of <see cref="Size1"/> leaves is a prefix of the tree of <see cref="Size2"/>.</summary>
public sealed record ConsistencyProof(long Size1, long Size2, IReadOnlyList<byte[]> Path)
{
    public bool Verify(ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2) =>
        MerkleProof.VerifyConsistency(Size1, Size2, root1, root2, Path);
}
