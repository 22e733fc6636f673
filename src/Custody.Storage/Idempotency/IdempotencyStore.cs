using System.Collections.Concurrent;
using Custody.Storage.Audit;
using Custody.Storage.Sqlite;

namespace Custody.Storage.Idempotency;

/// <summary>
/// Replies of finished requests by (principal, request id), durable across restarts. Only
/// successes are kept: a refused or failed request may be retried with any payload.
/// <para>
/// The table lives in the audit database, and a reply is written by the audit log in the
/// same transaction as the record of the result it reports (<see cref="Reply"/>, an
/// <see cref="IAuditAttachment"/>): one commit instead of two on every signature, and a
/// result is never on record without its stored reply or the reverse. The claim that stops
/// two concurrent calls with one id from both signing lives in the daemon (one process owns
/// the files); a shared database would claim here instead.
/// </para>
/// </summary>
public sealed class IdempotencyStore : IDisposable
{
    private const string Schema = """
        CREATE TABLE idempotency (
            principal       TEXT NOT NULL,
            request_id      TEXT NOT NULL,
            request_digest  BLOB NOT NULL,
            reply           BLOB NOT NULL,
            completed_at    INTEGER NOT NULL,
            PRIMARY KEY (principal, request_id)
        ) WITHOUT ROWID;
        """;

    private const string Insert = """
        INSERT INTO idempotency (principal, request_id, request_digest, reply, completed_at)
        VALUES (@principal, @requestId, @requestDigest, @reply, @completedAt)
        ON CONFLICT (principal, request_id) DO NOTHING
        """;

    private const int MaxIdleReaders = 8;

    private readonly SqliteDatabase _db;

    // Every signature looks its id up first: readers keep their connection and prepared statement.
    private readonly ConcurrentBag<StatementCache> _readers = [];
    private int _disposed;

    /// <param name="db">The audit database, whose log writes the replies.</param>
    public IdempotencyStore(SqliteDatabase db)
    {
        ArgumentNullException.ThrowIfNull(db);
        _db = db;
        CreateSchema(db);
    }

    /// <summary>Creates the table if missing (what <c>custody-admin init</c> needs).</summary>
    public static void CreateSchema(SqliteDatabase db)
    {
        ArgumentNullException.ThrowIfNull(db);
        using var connection = db.Open();
        SqliteSchema.Apply(connection, "idempotency", [Schema]);
    }

    /// <summary>
    /// Moves the replies an older installation kept in <paramref name="legacy"/> (custody.db)
    /// into <paramref name="db"/>, then drops the old table: copied in one transaction, dropped
    /// only after that commit, so an interruption leaves the replies in one place or both.
    /// Returns the number of replies moved.
    /// </summary>
    public static int MoveFrom(SqliteDatabase legacy, SqliteDatabase db)
    {
        ArgumentNullException.ThrowIfNull(legacy);
        ArgumentNullException.ThrowIfNull(db);
        CreateSchema(db);
        using var source = legacy.Open();
        var old = new Sql(source, null);
        if (old.Scalar<long>("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'idempotency'") == 0) return 0;
        var moved = 0;
        using (var target = db.Open())
        using (var transaction = target.BeginTransaction(deferred: false))
        {
            var sql = new Sql(target, transaction);
            foreach (var row in old.Query("SELECT principal, request_id, request_digest, reply, completed_at FROM idempotency",
                r => (Principal: r.GetString(0), RequestId: r.GetString(1), Digest: (byte[])r.GetValue(2), Reply: (byte[])r.GetValue(3), At: r.GetInt64(4))))
            {
                moved += sql.Execute(Insert, ("@principal", row.Principal), ("@requestId", row.RequestId), ("@requestDigest", row.Digest),
                    ("@reply", row.Reply), ("@completedAt", row.At));
            }
            transaction.Commit();
        }
        old.Execute("DROP TABLE idempotency; DELETE FROM schema_versions WHERE component = 'idempotency'");
        return moved;
    }

    public Task<IdempotencyRecord?> FindAsync(string principal, string requestId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reader = _readers.TryTake(out var idle) ? idle : new StatementCache(_db.Open());
        try
        {
            var found = Sql.On(reader, null).First(
                "SELECT request_digest, reply, completed_at FROM idempotency WHERE principal = @principal AND request_id = @requestId",
                r => new IdempotencyRecord(principal, requestId, (byte[])r.GetValue(0), (byte[])r.GetValue(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2))),
                ("@principal", principal), ("@requestId", requestId));
            if (_readers.Count < MaxIdleReaders && Volatile.Read(ref _disposed) == 0) _readers.Add(reader);
            else reader.Dispose();
            return Task.FromResult(found);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The reply to store with a result record: <paramref name="reply"/> builds it from that
    /// record's receipt inside the audit log's transaction. A reply already stored under the
    /// id is kept (the first answer given is the answer); <see cref="StoredReply.Kept"/> tells.
    /// </summary>
    public static StoredReply Reply(string principal, string requestId, byte[] requestDigest, DateTimeOffset completedAt, Func<AuditReceipt, byte[]> reply) =>
        new(principal, requestId, requestDigest, completedAt, reply);

    public void Dispose()
    {
        Interlocked.Exchange(ref _disposed, 1);
        while (_readers.TryTake(out var reader)) reader.Dispose();
    }

    /// <summary>A reply on its way into the audit log's transaction.</summary>
    public sealed class StoredReply : IAuditAttachment
    {
        private readonly string _principal;
        private readonly string _requestId;
        private readonly byte[] _requestDigest;
        private readonly long _completedAt;
        private readonly Func<AuditReceipt, byte[]> _reply;

        internal StoredReply(string principal, string requestId, byte[] requestDigest, DateTimeOffset completedAt, Func<AuditReceipt, byte[]> reply)
        {
            ArgumentException.ThrowIfNullOrEmpty(principal);
            ArgumentException.ThrowIfNullOrEmpty(requestId);
            ArgumentNullException.ThrowIfNull(requestDigest);
            ArgumentNullException.ThrowIfNull(reply);
            (_principal, _requestId, _requestDigest, _completedAt, _reply) = (principal, requestId, requestDigest, completedAt.ToUnixTimeMilliseconds(), reply);
        }

        /// <summary>The reply as written (after the append completed).</summary>
        public byte[]? Bytes { get; private set; }

        /// <summary>Whether this reply was stored, rather than one already under the id.</summary>
        public bool Kept { get; private set; }

        void IAuditAttachment.Write(Sql sql, AuditReceipt receipt)
        {
            Bytes = _reply(receipt);
            Kept = sql.Execute(Insert, ("@principal", _principal), ("@requestId", _requestId), ("@requestDigest", _requestDigest),
                ("@reply", Bytes), ("@completedAt", _completedAt)) == 1;
        }
    }
}
