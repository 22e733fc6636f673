using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Core.Crypto;

namespace Custody.Core.Tests.Audit;

public sealed class AuditVerifierTests : IDisposable
{
    private const string Origin = "custody.example/audit";
    private readonly Ed25519CheckpointSigner _signer = new(Origin, Hashes.Sha256("audit key"u8));
    private readonly Ed25519CheckpointSigner _intruder = new(Origin, Hashes.Sha256("someone else"u8));

    public void Dispose()
    {
        _signer.Dispose();
        _intruder.Dispose();
    }

    private NoteVerifierKey Key => NoteVerifierKey.For(_signer);

    private static AuditRecord Record(long i) => new()
    {
        Sequence = i,
        Time = DateTimeOffset.UnixEpoch.AddMinutes(i),
        Principal = i % 2 == 0 ? "alice" : "bob",
        Action = "sign",
        WalletId = "w" + (i % 3),
        RequestDigest = Hashes.Sha256(BitConverter.GetBytes(i)),
    };

    /// <summary>A log of n records with a checkpoint after every <paramref name="every"/> records.</summary>
    private (List<AuditLeaf> Leaves, List<string> Checkpoints) Log(int n, int every)
    {
        var leaves = new List<AuditLeaf>();
        var checkpoints = new List<string>();
        var tree = new MerkleTreeState();
        for (var i = 0; i < n; i++)
        {
            var data = AuditRecordEncoding.Encode(Record(i));
            var hash = MerkleHash.Leaf(data);
            leaves.Add(new AuditLeaf(i, data, hash));
            tree.Append(hash);
            if ((i + 1) % every == 0) checkpoints.Add(new Checkpoint(Origin, tree.Size, tree.Root()).Sign(_signer));
        }
        return (leaves, checkpoints);
    }

    private AuditFailure Fails(List<AuditLeaf> leaves, List<string> checkpoints)
    {
        var result = AuditVerifier.Verify(leaves, checkpoints, Key);
        Assert.False(result.IsIntact);
        return result.Failure!;
    }

    [Fact]
    public void An_intact_log_verifies()
    {
        var (leaves, checkpoints) = Log(23, 5);
        var result = AuditVerifier.Verify(leaves, checkpoints, Key);
        Assert.True(result.IsIntact, result.ToString());
        Assert.Equal(23, result.RecordCount);
        Assert.Equal(4, result.CheckpointCount);
        Assert.Equal(20, result.SignedSize);
        Assert.True(AuditVerifier.Verify([], [], Key).IsIntact);
        Assert.True(AuditVerifier.Verify([], [new Checkpoint(Origin, 0, MerkleHash.EmptyRoot()).Sign(_signer)], Key).IsIntact);
        // Without stored leaf hashes the replay relies on the signed roots alone.
        Assert.True(AuditVerifier.Verify(leaves.Select(l => l with { StoredLeafHash = default }), checkpoints, Key).IsIntact);
    }

    [Fact]
    public void A_deleted_record_is_named()
    {
        var (leaves, checkpoints) = Log(23, 5);
        leaves.RemoveAt(7);
        var f = Fails(leaves, checkpoints);
        Assert.Equal((AuditFailureKind.MissingRecord, 7L), (f.Kind, f.Index));
        Assert.Equal("record 7: missing: the next stored record is 8", f.ToString());
    }

    [Fact]
    public void A_repeated_record_is_named()
    {
        var (leaves, checkpoints) = Log(23, 5);
        leaves.Insert(12, leaves[11]);
        var f = Fails(leaves, checkpoints);
        Assert.Equal((AuditFailureKind.UnexpectedRecord, 12L), (f.Kind, f.Index));
    }

    [Fact]
    public void Swapped_records_are_named_at_the_first()
    {
        var (leaves, checkpoints) = Log(23, 5);
        (leaves[3], leaves[9]) = (leaves[9] with { Sequence = 3 }, leaves[3] with { Sequence = 9 });
        var f = Fails(leaves, checkpoints);
        Assert.Equal((AuditFailureKind.MisplacedRecord, 3L), (f.Kind, f.Index));
    }

    [Fact]
    public void An_edit_beside_its_stored_leaf_hash_names_the_record()
    {
        var (leaves, checkpoints) = Log(23, 5);
        leaves[13] = leaves[13] with { Data = AuditRecordEncoding.Encode(Record(13) with { Principal = "mallory" }) };
        var f = Fails(leaves, checkpoints);
        Assert.Equal((AuditFailureKind.AlteredRecord, 13L), (f.Kind, f.Index));
    }

    [Fact]
    public void An_edit_with_a_rewritten_leaf_hash_fails_the_next_checkpoint_and_names_the_range()
    {
        var (leaves, checkpoints) = Log(23, 5);
        var data = AuditRecordEncoding.Encode(Record(13) with { Principal = "mallory" });
        leaves[13] = new AuditLeaf(13, data, MerkleHash.Leaf(data));
        var f = Fails(leaves, checkpoints);
        Assert.Equal((AuditFailureKind.RootMismatch, 2L), (f.Kind, f.Index));
        Assert.Contains("records 10..14", f.Reason);
    }

    [Fact]
    public void An_edit_after_the_last_checkpoint_with_a_rewritten_leaf_hash_cannot_be_seen()
    {
        // The limit of any log: what no checkpoint signed yet has no anchor. Checkpoint often.
        var (leaves, checkpoints) = Log(23, 5);
        var data = AuditRecordEncoding.Encode(Record(21) with { Principal = "mallory" });
        leaves[21] = new AuditLeaf(21, data, MerkleHash.Leaf(data));
        var result = AuditVerifier.Verify(leaves, checkpoints, Key);
        Assert.True(result.IsIntact);
        Assert.Equal(20, result.SignedSize);
    }

    [Fact]
    public void Garbage_in_a_record_is_named()
    {
        var (leaves, checkpoints) = Log(23, 5);
        leaves[4] = leaves[4] with { Data = new byte[] { 1, 2, 3 } };
        var f = Fails(leaves, checkpoints);
        Assert.Equal((AuditFailureKind.MalformedRecord, 4L), (f.Kind, f.Index));
    }

    [Fact]
    public void A_tail_cut_after_a_checkpoint_is_named_by_the_checkpoint()
    {
        var (leaves, checkpoints) = Log(20, 5);
        leaves.RemoveRange(17, 3);
        var f = Fails(leaves, checkpoints);
        Assert.Equal((AuditFailureKind.Truncated, 3L), (f.Kind, f.Index));
        Assert.Contains("records 17..19 were removed", f.Reason);
    }

    [Fact]
    public void A_forged_checkpoint_is_named()
    {
        var (leaves, checkpoints) = Log(23, 5);
        var altered = SignedNote.Parse(checkpoints[2]);
        var body = new Checkpoint(Origin, 15, MerkleHash.Leaf("forged"u8)).ToBody();
        checkpoints[2] = checkpoints[2].Replace(altered.Text, body, StringComparison.Ordinal);
        var f = Fails(leaves, checkpoints);
        Assert.Equal((AuditFailureKind.BadSignature, 2L), (f.Kind, f.Index));
        Assert.Contains("does not verify", f.Reason);

        (leaves, checkpoints) = Log(23, 5);
        checkpoints[1] = new Checkpoint(Origin, 10, MerkleHash.Leaf("forged"u8)).Sign(_intruder);
        f = Fails(leaves, checkpoints);
        Assert.Equal((AuditFailureKind.BadSignature, 1L), (f.Kind, f.Index));
        Assert.Contains("not signed by the audit key", f.Reason);

        (leaves, checkpoints) = Log(23, 5);
        checkpoints[1] = "not a note";
        Assert.Equal((AuditFailureKind.MalformedCheckpoint, 1L), (Fails(leaves, checkpoints).Kind, Fails(leaves, checkpoints).Index));
    }

    [Fact]
    public void A_validly_signed_checkpoint_must_still_fit_the_log()
    {
        var (leaves, checkpoints) = Log(23, 5);
        checkpoints.Insert(1, new Checkpoint("another/log", 7, MerkleHash.Leaf("x"u8)).Sign(_signer));
        Assert.Equal((AuditFailureKind.WrongOrigin, 1L), (Fails(leaves, checkpoints).Kind, Fails(leaves, checkpoints).Index));

        (leaves, checkpoints) = Log(23, 5);
        checkpoints.Add(checkpoints[0]);
        Assert.Equal((AuditFailureKind.SizeDecreased, 4L), (Fails(leaves, checkpoints).Kind, Fails(leaves, checkpoints).Index));

        (leaves, checkpoints) = Log(23, 5);
        checkpoints[3] = new Checkpoint(Origin, 20, MerkleHash.Leaf("x"u8)).Sign(_signer);
        Assert.Equal((AuditFailureKind.RootMismatch, 3L), (Fails(leaves, checkpoints).Kind, Fails(leaves, checkpoints).Index));
    }

    [Fact]
    public void The_first_problem_in_log_order_wins()
    {
        var (leaves, checkpoints) = Log(23, 5);
        leaves.RemoveAt(17);
        checkpoints[1] = new Checkpoint(Origin, 10, MerkleHash.Leaf("x"u8)).Sign(_intruder);
        Assert.Equal((AuditFailureKind.BadSignature, 1L), (Fails(leaves, checkpoints).Kind, Fails(leaves, checkpoints).Index));

        (leaves, checkpoints) = Log(23, 5);
        leaves.RemoveAt(3);
        checkpoints[1] = new Checkpoint(Origin, 10, MerkleHash.Leaf("x"u8)).Sign(_intruder);
        Assert.Equal((AuditFailureKind.MissingRecord, 3L), (Fails(leaves, checkpoints).Kind, Fails(leaves, checkpoints).Index));
    }

    [Fact]
    public void The_incremental_verifier_stops_at_the_first_failure_and_exposes_the_tree()
    {
        var (leaves, checkpoints) = Log(12, 4);
        var verifier = new AuditVerifier(Key, checkpoints);
        foreach (var leaf in leaves) Assert.Null(verifier.Add(leaf));
        Assert.Equal(12, verifier.Tree.Size);
        Assert.Equal(MerkleHash.Root(leaves.Select(l => l.StoredLeafHash.ToArray()).ToList()), verifier.Tree.Root());
        Assert.NotNull(verifier.Add(leaves[0]));
        Assert.NotNull(verifier.Add(leaves[1]));
        Assert.False(verifier.Complete().IsIntact);
    }

    [Fact]
    public void A_checkpoint_kept_elsewhere_catches_a_tail_cut_together_with_its_checkpoints()
    {
        var (leaves, checkpoints) = Log(23, 5);
        var kept = checkpoints[3];
        Assert.True(AuditVerifier.Verify(leaves, checkpoints, Key, anchors: [kept]).IsIntact);

        leaves.RemoveRange(16, 7);
        checkpoints.RemoveRange(3, 1);
        Assert.True(AuditVerifier.Verify(leaves, checkpoints, Key).IsIntact, "the file alone cannot show it");
        var f = AuditVerifier.Verify(leaves, checkpoints, Key, anchors: [kept]).Failure!;
        Assert.Equal((AuditFailureKind.ExternalCheckpoint, 0L), (f.Kind, f.Index));
        Assert.Equal("external checkpoint 0: signed 20 records but the log holds 16: records 16..19 were removed with their checkpoints", f.ToString());

        (leaves, checkpoints) = Log(23, 5);
        var data = AuditRecordEncoding.Encode(Record(21) with { Principal = "mallory" });
        leaves[21] = new AuditLeaf(21, data, MerkleHash.Leaf(data));
        var later = new Checkpoint(Origin, 23, MerkleHash.Root(Log(23, 5).Leaves.Select(l => l.StoredLeafHash.ToArray()).ToList())).Sign(_signer);
        Assert.Contains("the log was rewritten", AuditVerifier.Verify(leaves, checkpoints, Key, anchors: [later]).Failure!.Reason);
        Assert.Contains("unusable", AuditVerifier.Verify(leaves, checkpoints, Key, anchors: ["junk"]).Failure!.Reason);
    }
}
