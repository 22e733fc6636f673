using System.Text.Json;
using Custody.Core;
using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Storage.Audit;
using Custody.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Tests.Audit;

public sealed class AuditLogTests : IDisposable
{
    private readonly AuditTestLog _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task Appends_survive_reopening_and_receipts_match_what_is_stored()
    {
        var receipts = await _t.WriteAsync(12);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), receipts.Select(r => r.Sequence));

        await using (var log = _t.Open())
        {
            Assert.Equal(12, log.Size);
            Assert.Equal(12, log.CheckpointedSize);
            var next = await log.AppendAsync(AuditTestLog.Event(99));
            Assert.Equal(12, next.Sequence);
        }

        var reader = _t.Reader;
        Assert.Equal(13, reader.Count());
        for (var i = 0; i < 12; i++)
        {
            var stored = reader.Get(i)!;
            Assert.Equal(AuditTestLog.Event(i) with { Sequence = i, Time = receipts[i].Time }, stored);
            Assert.Equal(receipts[i].LeafHash.ToArray(), MerkleHash.Leaf(AuditRecordEncoding.Encode(stored)));
        }
        Assert.Null(reader.Get(13));
        Assert.True(reader.Verify(_t.Key).IsIntact);
    }

    [Fact]
    public async Task A_completed_append_is_visible_to_another_connection()
    {
        await using var log = _t.Open();
        var receipt = await log.AppendAsync(AuditTestLog.Event(1));
        using var other = new SqliteConnection($"Data Source={_t.FilePath};Pooling=False");
        other.Open();
        Assert.Equal(1, other.ExecuteScalar<long>("SELECT count(*) FROM audit_records WHERE seq = @s", new { s = receipt.Sequence }));
    }

    [Fact]
    public async Task Connections_use_wal_full_sync_a_busy_timeout_and_memory_for_temporary_data()
    {
        await using var log = _t.Open();
        using var c = _t.Database.Open();
        Assert.Equal("wal", c.ExecuteScalar<string>("PRAGMA journal_mode"));
        Assert.Equal(2, c.ExecuteScalar<long>("PRAGMA synchronous"));
        Assert.Equal(5000, c.ExecuteScalar<long>("PRAGMA busy_timeout"));
        Assert.Equal(2, c.ExecuteScalar<long>("PRAGMA temp_store")); // MEMORY: no temporary files
    }

    [Fact]
    public async Task Triggers_refuse_update_and_delete()
    {
        await _t.WriteAsync(11);
        using var c = _t.Database.Open();
        string[] statements =
        [
            "UPDATE audit_records SET principal = 'mallory' WHERE seq = 3",
            "DELETE FROM audit_records WHERE seq = 10",
            "DELETE FROM audit_records",
            "UPDATE audit_checkpoints SET tree_size = 1",
            "DELETE FROM audit_checkpoints",
        ];
        foreach (var sql in statements)
            Assert.Contains("audit log is append-only", Assert.Throws<SqliteException>(() => c.Execute(sql)).Message);
        Assert.True(_t.Reader.Verify(_t.Key).IsIntact);
    }

    [Fact]
    public async Task Schema_creation_is_idempotent_and_versioned()
    {
        await _t.WriteAsync(1);
        await _t.WriteAsync(1);
        using var c = _t.Database.Open();
        AuditSchema.Apply(c);
        AuditSchema.Apply(c);
        Assert.Equal(1, SqliteSchema.CurrentVersion(c, AuditSchema.Component));
        Assert.Equal(2, _t.Reader.Count());
        c.Execute("UPDATE schema_versions SET version = 7 WHERE component = 'audit'");
        Assert.Contains("newer", Assert.Throws<InvalidOperationException>(() => AuditSchema.Apply(c)).Message);
    }

    [Fact]
    public async Task Concurrent_appenders_get_distinct_gap_free_sequence_numbers_in_shared_commits()
    {
        const int writers = 64;
        const int each = 40;
        await using var log = _t.Open(new AuditLogOptions { CheckpointEvery = 500, CheckpointInterval = TimeSpan.FromHours(1) });
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<AuditReceipt>();
            for (var i = 0; i < each; i++) mine.Add(await log.AppendAsync(AuditTestLog.Event(w * each + i)));
            return mine;
        }));
        var receipts = (await Task.WhenAll(tasks)).SelectMany(r => r).ToList();
        Assert.Equal(Enumerable.Range(0, writers * each).Select(i => (long)i), receipts.Select(r => r.Sequence).Order());
        Assert.True(log.Commits < writers * each, $"{log.Commits} commits for {writers * each} appends: no batching");
        await log.CheckpointAsync();
        var verdict = _t.Reader.Verify(_t.Key);
        Assert.True(verdict.IsIntact, verdict.ToString());
        Assert.Equal(writers * each, verdict.SignedSize);
    }

    [Fact]
    public async Task Checkpoints_every_n_records_and_on_close()
    {
        await _t.WriteAsync(35);
        var checkpoints = _t.Reader.Checkpoints();
        Assert.Equal([10L, 20, 30, 35], checkpoints.Select(c => c.Checkpoint.Size));
        Assert.Equal([0L, 1, 2, 3], checkpoints.Select(c => c.Index));
        foreach (var c in checkpoints)
        {
            Assert.Equal(AuditTestLog.Origin, Checkpoint.Open(c.Note, _t.Key).Origin);
            Assert.StartsWith($"{AuditTestLog.Origin}\n{c.Checkpoint.Size}\n", c.Note, StringComparison.Ordinal);
            Assert.Contains($"\n\n\u2014 {AuditTestLog.Origin} ", c.Note, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Checkpoints_every_t_seconds()
    {
        await using var log = _t.Open(new AuditLogOptions { CheckpointEvery = 1_000_000, CheckpointInterval = TimeSpan.FromMilliseconds(100) });
        for (var i = 0; i < 3; i++) await log.AppendAsync(AuditTestLog.Event(i));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (log.CheckpointedSize < 3 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(3, log.CheckpointedSize);
        Assert.Equal(3, _t.Reader.LatestCheckpoint()!.Checkpoint.Size);
    }

    [Fact]
    public async Task Inclusion_and_consistency_proofs_verify_against_the_signed_roots()
    {
        var receipts = await _t.WriteAsync(27);
        var reader = _t.Reader;
        var checkpoints = reader.Checkpoints();
        Assert.Equal([10L, 20, 27], checkpoints.Select(c => c.Checkpoint.Size));
        foreach (var c in checkpoints)
        {
            var root = Checkpoint.Open(c.Note, _t.Key).RootHash.ToArray();
            for (var seq = 0; seq < c.Checkpoint.Size; seq++)
            {
                var proof = reader.GetInclusionProof(seq, c.Index);
                Assert.True(proof.Verify(receipts[seq].LeafHash.Span, root), $"record {seq} in checkpoint {c.Index}");
                Assert.False(proof.Verify(receipts[(seq + 1) % receipts.Count].LeafHash.Span, root));
            }
            Assert.Throws<InvalidInputException>(() => reader.GetInclusionProof(c.Checkpoint.Size, c.Index));
            foreach (var later in checkpoints.Where(l => l.Index >= c.Index))
                Assert.True(reader.GetConsistencyProof(c.Index, later.Index).Verify(root, later.Checkpoint.RootHash.Span));
        }
        Assert.Throws<InvalidInputException>(() => reader.GetCheckpoint(9));
        Assert.Throws<InvalidInputException>(() => reader.GetConsistencyProof(2, 1));
    }

    [Fact]
    public async Task Queries_by_time_principal_wallet_and_action()
    {
        var clock = new ManualClock(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using (var log = _t.Open(new AuditLogOptions { TimeProvider = clock, CheckpointInterval = TimeSpan.FromHours(1) }))
        {
            for (var i = 0; i < 24; i++)
            {
                clock.Now = clock.Now.AddMinutes(1);
                await log.AppendAsync(AuditTestLog.Event(i));
            }
        }
        var reader = _t.Reader;
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        long[] Seqs(AuditQuery q) => reader.Query(q).Select(r => r.Sequence).ToArray();

        Assert.Equal(24, Seqs(new AuditQuery()).Length);
        Assert.Equal([4L, 5, 6], Seqs(new AuditQuery { From = start.AddMinutes(5), To = start.AddMinutes(8) }));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => 2L * i + 1), Seqs(new AuditQuery { Principal = "bob" }));
        Assert.Equal([3L, 7, 11, 15, 19, 23], Seqs(new AuditQuery { WalletId = "wallet-3" }));
        Assert.Equal([3L, 15], Seqs(new AuditQuery { WalletId = "wallet-3", Action = "policy.update" }));
        Assert.Equal([15L, 19], Seqs(new AuditQuery { WalletId = "wallet-3", Principal = "bob", FromSequence = 12, Limit = 2 }));
        Assert.Empty(Seqs(new AuditQuery { Principal = "nobody" }));
        Assert.All(reader.Query(new AuditQuery { Action = "sign" }), r => Assert.Equal("sign", r.Action));
    }

    [Fact]
    public async Task Export_writes_stable_json_lines()
    {
        await _t.WriteAsync(3);
        using var output = new MemoryStream();
        AuditJsonLines.Write(output, _t.Reader.Query(new AuditQuery()));
        var lines = System.Text.Encoding.UTF8.GetString(output.ToArray()).Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Equal("", lines[3]);
        using var doc = JsonDocument.Parse(lines[1]);
        var o = doc.RootElement;
        Assert.Equal(
            ["seq", "time", "principal", "action", "wallet", "chain", "request_digest", "decision", "rule", "result_digest", "txid", "details", "leaf_hash"],
            o.EnumerateObject().Select(p => p.Name));
        var record = _t.Reader.Get(1)!;
        Assert.Equal(1, o.GetProperty("seq").GetInt64());
        Assert.Equal("bob", o.GetProperty("principal").GetString());
        Assert.Equal("allow", o.GetProperty("decision").GetString());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("txid").ValueKind);
        Assert.Equal(Convert.ToHexStringLower(record.RequestDigest.Span), o.GetProperty("request_digest").GetString());
        Assert.Equal("1", o.GetProperty("details").GetProperty("n").GetString());
        Assert.Equal(Convert.ToHexStringLower(MerkleHash.Leaf(AuditRecordEncoding.Encode(record))), o.GetProperty("leaf_hash").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", o.GetProperty("time").GetString());

        var unicode = AuditJsonLines.ToLine(record with { Principal = "zoë+\"q\"", Details = new Dictionary<string, string> { ["note"] = "a\nb" } });
        Assert.Contains("\"principal\":\"zoë+\\\"q\\\"\"", unicode, StringComparison.Ordinal);
        Assert.Contains("\"note\":\"a\\nb\"", unicode, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', unicode);
    }

    [Fact]
    public async Task Invalid_records_are_refused_before_queueing_and_the_log_goes_on()
    {
        await using var log = _t.Open();
        Assert.Equal("principal", Assert.Throws<InvalidInputException>(() => { _ = log.AppendAsync(AuditTestLog.Event(0) with { Principal = "" }); }).Field);
        Assert.Equal(0, (await log.AppendAsync(AuditTestLog.Event(0))).Sequence);
    }

    [Fact]
    public async Task A_failing_audit_key_loses_no_record()
    {
        using var broken = new BrokenSigner(_t.Signer);
        var log = AuditLog.Open(_t.Database, broken, new AuditLogOptions { CheckpointEvery = 2, CheckpointInterval = TimeSpan.FromHours(1) });
        for (var i = 0; i < 5; i++) await log.AppendAsync(AuditTestLog.Event(i));
        Assert.Equal(5, log.Size);
        Assert.Equal(0, log.CheckpointedSize);
        Assert.NotNull(log.LastCheckpointError);
        await Assert.ThrowsAsync<InvalidInputException>(log.CheckpointAsync);
        await log.DisposeAsync();
        Assert.Empty(_t.Reader.Checkpoints());
        Assert.Equal(5, _t.Reader.Count());
        await using var good = _t.Open();
        Assert.Equal(5, (await good.CheckpointAsync())!.Checkpoint.Size);
    }

    [Fact]
    public async Task The_appender_refuses_to_open_a_tampered_log()
    {
        await _t.WriteAsync(15);
        using (var c = _t.Attacker())
            c.Execute("DELETE FROM audit_records WHERE seq = 4");
        var e = Assert.Throws<AuditLogTamperedException>(() => _t.Open());
        Assert.Equal((AuditFailureKind.MissingRecord, 4L), (e.Failure.Kind, e.Failure.Index));
    }

    [Fact]
    public async Task Appending_after_dispose_is_refused()
    {
        var log = _t.Open();
        await log.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => { _ = log.AppendAsync(AuditTestLog.Event(0)); });
    }

    /// <summary>An audit key whose signatures are garbage: the checkpoint must not be stored.</summary>
    private sealed class BrokenSigner(ICheckpointSigner inner) : ICheckpointSigner, IDisposable
    {
        public string Name => inner.Name;

        public ReadOnlyMemory<byte> PublicKey => inner.PublicKey;

        public byte[] Sign(ReadOnlySpan<byte> message) => new byte[64];

        public void Dispose()
        {
        }
    }
}
