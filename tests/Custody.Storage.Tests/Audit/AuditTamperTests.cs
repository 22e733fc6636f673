using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Core.Crypto;
using Custody.Storage.Audit;
using Dapper;

namespace Custody.Storage.Tests.Audit;

/// <summary>
/// An attacker with the database file: drops the triggers, then edits, deletes, swaps,
/// cuts and forges. The log (checkpoints at 10, 20, 30 and 35 on close) must name the
/// first record or checkpoint that does not fit, and the appender must refuse to go on.
/// </summary>
public sealed class AuditTamperTests : IDisposable
{
    private readonly AuditTestLog _t = new();

    public void Dispose() => _t.Dispose();

    private async Task<AuditFailure> TamperAsync(Action<Microsoft.Data.Sqlite.SqliteConnection> attack)
    {
        await _t.WriteAsync(35);
        Assert.True(_t.Reader.Verify(_t.Key).IsIntact);
        using (var c = _t.Attacker()) attack(c);
        var verdict = _t.Reader.Verify(_t.Key);
        Assert.False(verdict.IsIntact);
        var refused = Assert.Throws<AuditLogTamperedException>(() => _t.Open());
        Assert.Equal(verdict.Failure, refused.Failure);
        return verdict.Failure!;
    }

    private static byte[] Data(Microsoft.Data.Sqlite.SqliteConnection c, long seq) =>
        c.ExecuteScalar<byte[]>("SELECT data FROM audit_records WHERE seq = @seq", new { seq })!;

    private static byte[] Edited(Microsoft.Data.Sqlite.SqliteConnection c, long seq) =>
        AuditRecordEncoding.Encode(AuditRecordEncoding.Decode(Data(c, seq)) with { Principal = "mallory" });

    [Fact]
    public async Task Editing_an_indexed_column_names_the_record()
    {
        var f = await TamperAsync(c => c.Execute("UPDATE audit_records SET principal = 'mallory' WHERE seq = 17"));
        Assert.Equal((AuditFailureKind.AlteredRecord, 17L), (f.Kind, f.Index));
        Assert.StartsWith("record 17: its indexed columns", f.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editing_the_content_names_the_record()
    {
        var f = await TamperAsync(c => c.Execute(
            "UPDATE audit_records SET data = @data, principal = 'mallory' WHERE seq = 17", new { data = Edited(c, 17) }));
        Assert.Equal((AuditFailureKind.AlteredRecord, 17L), (f.Kind, f.Index));
        Assert.Contains("leaf hash", f.Reason);
    }

    [Fact]
    public async Task Editing_the_content_and_its_leaf_hash_fails_the_covering_checkpoint()
    {
        var f = await TamperAsync(c =>
        {
            var data = Edited(c, 17);
            c.Execute("UPDATE audit_records SET data = @data, leaf_hash = @hash, principal = 'mallory' WHERE seq = 17",
                new { data, hash = MerkleHash.Leaf(data) });
        });
        Assert.Equal((AuditFailureKind.RootMismatch, 1L), (f.Kind, f.Index));
        Assert.Contains("one of records 10..19 was altered", f.Reason);
    }

    [Fact]
    public async Task Deleting_a_record_names_it()
    {
        var f = await TamperAsync(c => c.Execute("DELETE FROM audit_records WHERE seq = 17"));
        Assert.Equal("record 17: missing: the next stored record is 18", f.ToString());
    }

    [Fact]
    public async Task Swapping_two_records_names_the_first()
    {
        var f = await TamperAsync(c =>
        {
            // Exchange the sequence numbers of two rows, so each row's content sits at the other's position.
            c.Execute("UPDATE audit_records SET seq = -1 WHERE seq = 12");
            c.Execute("UPDATE audit_records SET seq = 12 WHERE seq = 15");
            c.Execute("UPDATE audit_records SET seq = 15 WHERE seq = -1");
        });
        Assert.Equal((AuditFailureKind.MisplacedRecord, 12L), (f.Kind, f.Index));
        Assert.Equal("record 12: holds the content of record 15 (moved or swapped)", f.ToString());
    }

    [Fact]
    public async Task Cutting_the_tail_after_a_checkpoint_names_the_checkpoint()
    {
        var f = await TamperAsync(c => c.Execute("DELETE FROM audit_records WHERE seq >= 25"));
        Assert.Equal((AuditFailureKind.Truncated, 2L), (f.Kind, f.Index));
        Assert.Equal("checkpoint 2: signed 30 records but the log holds 25: records 25..29 were removed", f.ToString());
    }

    [Fact]
    public async Task A_checkpoint_re_signed_with_another_key_is_named()
    {
        using var intruder = new Ed25519CheckpointSigner(AuditTestLog.Origin, Hashes.Sha256("intruder"u8));
        var f = await TamperAsync(c =>
        {
            var note = c.ExecuteScalar<string>("SELECT note FROM audit_checkpoints WHERE idx = 1")!;
            var forged = Checkpoint.ParseBody(SignedNote.Parse(note).Text).Sign(intruder);
            c.Execute("UPDATE audit_checkpoints SET note = @forged WHERE idx = 1", new { forged });
        });
        Assert.Equal((AuditFailureKind.BadSignature, 1L), (f.Kind, f.Index));
        Assert.Contains("not signed by the audit key", f.Reason);
    }

    [Fact]
    public async Task A_checkpoint_with_an_altered_root_is_named()
    {
        var f = await TamperAsync(c =>
        {
            var note = c.ExecuteScalar<string>("SELECT note FROM audit_checkpoints WHERE idx = 2")!;
            var body = SignedNote.Parse(note).Text;
            var altered = new Checkpoint(AuditTestLog.Origin, 30, MerkleHash.Leaf("forged"u8)).ToBody();
            c.Execute("UPDATE audit_checkpoints SET note = @n WHERE idx = 2", new { n = note.Replace(body, altered, StringComparison.Ordinal) });
        });
        Assert.Equal((AuditFailureKind.BadSignature, 2L), (f.Kind, f.Index));
        Assert.Contains("does not verify", f.Reason);
    }

    [Fact]
    public async Task Rewriting_history_and_re_signing_every_checkpoint_is_still_caught()
    {
        using var intruder = new Ed25519CheckpointSigner(AuditTestLog.Origin, Hashes.Sha256("intruder"u8));
        var f = await TamperAsync(c =>
        {
            var data = Edited(c, 3);
            c.Execute("UPDATE audit_records SET data = @data, leaf_hash = @hash, principal = 'mallory' WHERE seq = 3",
                new { data, hash = MerkleHash.Leaf(data) });
            var hashes = c.Query<byte[]>("SELECT leaf_hash FROM audit_records ORDER BY seq").ToList();
            foreach (var (idx, size) in c.Query<(long, long)>("SELECT idx, tree_size FROM audit_checkpoints").ToList())
            {
                var note = new Checkpoint(AuditTestLog.Origin, size, MerkleHash.Root(hashes[..(int)size])).Sign(intruder);
                c.Execute("UPDATE audit_checkpoints SET note = @note WHERE idx = @idx", new { note, idx });
            }
        });
        Assert.Equal((AuditFailureKind.BadSignature, 0L), (f.Kind, f.Index));
    }
}
