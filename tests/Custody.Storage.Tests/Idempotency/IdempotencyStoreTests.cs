using Custody.Storage.Audit;
using Custody.Storage.Idempotency;
using Custody.Storage.Sqlite;
using Custody.Storage.Tests.Audit;
using Dapper;

namespace Custody.Storage.Tests.Idempotency;

/// <summary>Stored replies: written by the audit log in the commit of the result record they report.</summary>
public class IdempotencyStoreTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    /// <summary>A reply that quotes its record's sequence number, as the daemon's replies quote their audit receipt.</summary>
    private static IdempotencyStore.StoredReply Reply(string principal, string requestId, byte[] digest) =>
        IdempotencyStore.Reply(principal, requestId, digest, At, receipt => BitConverter.GetBytes(receipt.Sequence));

    [Fact]
    public async Task A_reply_is_stored_with_its_result_record_survives_reopening_and_the_first_reply_wins()
    {
        using var files = new AuditTestLog();
        long firstSequence;
        using (var store = new IdempotencyStore(files.Database))
        {
            Assert.Null(await store.FindAsync("alice", "r1", default));
            await using var log = files.Open();
            var first = Reply("alice", "r1", [1, 2]);
            var receipt = await log.AppendAsync(AuditTestLog.Event(1), first);
            Assert.True(first.Kept);
            Assert.Equal(BitConverter.GetBytes(receipt.Sequence), first.Bytes);
            firstSequence = receipt.Sequence;

            var second = Reply("alice", "r1", [3]);
            await log.AppendAsync(AuditTestLog.Event(2), second);
            Assert.False(second.Kept);
        }

        using var reopened = new IdempotencyStore(files.Database);
        var record = await reopened.FindAsync("alice", "r1", default);
        Assert.NotNull(record);
        Assert.Equal([1, 2], record.RequestDigest);
        Assert.Equal(BitConverter.GetBytes(firstSequence), record.Reply);
    }

    [Fact]
    public async Task Request_ids_are_per_principal()
    {
        using var files = new AuditTestLog();
        using var store = new IdempotencyStore(files.Database);
        await using var log = files.Open();
        await log.AppendAsync(AuditTestLog.Event(1), Reply("alice", "r1", [1]));
        await log.AppendAsync(AuditTestLog.Event(2), Reply("bob", "r1", [2]));
        Assert.Equal([2], (await store.FindAsync("bob", "r1", default))!.RequestDigest);
        Assert.Equal([1], (await store.FindAsync("alice", "r1", default))!.RequestDigest);
    }

    [Fact]
    public async Task Concurrent_appends_share_commits_and_each_stored_reply_quotes_its_own_record()
    {
        using var files = new AuditTestLog();
        using var store = new IdempotencyStore(files.Database);
        await using var log = files.Open();
        var replies = Enumerable.Range(0, 200).Select(i => Reply("p", "r" + (i % 100), [(byte)i])).ToArray();
        // From many threads at once, as the daemon's requests arrive.
        var receipts = await Task.WhenAll(replies.Select((reply, i) => Task.Run(() => log.AppendAsync(AuditTestLog.Event(i), reply))));
        Assert.Equal(100, replies.Count(r => r.Kept));
        Assert.True(log.Commits < 200, $"group commit: fewer commits than appends ({log.Commits})");
        for (var i = 0; i < 200; i++)
        {
            if (!replies[i].Kept) continue;
            var record = await store.FindAsync("p", "r" + (i % 100), default);
            Assert.Equal(BitConverter.GetBytes(receipts[i].Sequence), record!.Reply);
        }
    }

    private sealed class Failing : IAuditAttachment
    {
        public void Write(Sql sql, AuditReceipt receipt) => throw new InvalidOperationException("disk full, say");
    }

    [Fact]
    public async Task A_failing_attachment_leaves_neither_the_record_nor_the_reply_and_the_log_goes_on()
    {
        using var files = new AuditTestLog();
        using var store = new IdempotencyStore(files.Database);
        await using var log = files.Open();
        await log.AppendAsync(AuditTestLog.Event(0));
        var size = log.Size;
        await Assert.ThrowsAsync<InvalidOperationException>(() => log.AppendAsync(AuditTestLog.Event(1), new Failing()));
        Assert.Equal(size, log.Size);
        Assert.Equal(size, files.Reader.Count());

        var reply = Reply("alice", "after", [9]);
        var receipt = await log.AppendAsync(AuditTestLog.Event(2), reply);
        Assert.Equal(size, receipt.Sequence); // no gap where the failed record would have been
        Assert.NotNull(await store.FindAsync("alice", "after", default));
    }

    [Fact]
    public async Task Replies_an_older_installation_kept_in_custody_db_move_into_the_audit_database_once()
    {
        using var files = new AuditTestLog();
        using var legacy = new TempDatabase();
        using (var connection = legacy.Opener.Open())
        {
            connection.Execute("CREATE TABLE idempotency (principal TEXT NOT NULL, request_id TEXT NOT NULL, request_digest BLOB NOT NULL, reply BLOB NOT NULL, completed_at INTEGER NOT NULL, PRIMARY KEY (principal, request_id)) WITHOUT ROWID");
            connection.Execute("CREATE TABLE schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT; INSERT INTO schema_versions VALUES ('idempotency', 1)");
            connection.Execute("INSERT INTO idempotency VALUES ('alice', 'old-1', x'01', x'0a0b', 1), ('bob', 'old-2', x'02', x'0c', 2)");
        }

        Assert.Equal(2, IdempotencyStore.MoveFrom(legacy.Opener, files.Database));
        Assert.Equal(0, IdempotencyStore.MoveFrom(legacy.Opener, files.Database)); // the old table is gone
        using var store = new IdempotencyStore(files.Database);
        var moved = await store.FindAsync("alice", "old-1", default);
        Assert.Equal([0x0a, 0x0b], moved!.Reply);
        Assert.Equal([0x01], moved.RequestDigest);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1), moved.CompletedAt);
        Assert.NotNull(await store.FindAsync("bob", "old-2", default));
        using var check = legacy.Opener.Open();
        Assert.Equal(0, check.ExecuteScalar<long>("SELECT count(*) FROM sqlite_master WHERE name = 'idempotency'"));
    }
}
