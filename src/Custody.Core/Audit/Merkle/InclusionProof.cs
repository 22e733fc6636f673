namespace Custody.Core.Audit.Merkle;

/// <summary>The audit path that places leaf <see cref="LeafIndex"/> in the tree of <see cref="TreeSize"/> leaves.</summary>
public sealed record InclusionProof(long LeafIndex, long TreeSize, IReadOnlyList<byte[]> Path)
{
    public bool Verify(ReadOnlySpan<byte> leafHash, ReadOnlySpan<byte> root) =>
        MerkleProof.VerifyInclusion(LeafIndex, TreeSize, leafHash, Path, root);
}
