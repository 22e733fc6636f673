using System.Threading.Channels;
using Custody.Storage.Sqlite;

namespace Custody.Storage.Idempotency;

/// <summary>
/// Replies of finished requests by (principal, request id), durable across restarts.
/// Only successes are kept: a refused or failed request may be retried with any payload.
/// Saves are group-committed: one writer takes every reply waiting, stores them in one
/// transaction and completes the callers after the commit, so one fsync serves a batch.
/// The claim that stops two concurrent calls with one id from both signing lives in the
/// daemon (one process owns a SQLite file); a shared database would claim here instead.
/// </summary>
public sealed class IdempotencyStore : IAsyncDisposable
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
        VALUES (@Principal, @RequestId, @RequestDigest, @Reply, @CompletedAt)
        ON CONFLICT (principal, request_id) DO NOTHING
        """;

    private const int MaxBatch = 1024;

    private readonly SqliteDatabase _db;
    private readonly TimeProvider _clock;
    private readonly Channel<PendingSave> _queue = Channel.CreateUnbounded<PendingSave>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    // Every signature looks its id up first: readers keep their connection and prepared statement.
    private readonly System.Collections.Concurrent.ConcurrentBag<StatementCache> _readers = [];
    private const int MaxIdleReaders = 8;
    private int _disposed;

    public IdempotencyStore(SqliteDatabase db, TimeProvider? clock = null)
    {
        _db = db;
        _clock = clock ?? TimeProvider.System;
        CreateSchema(db);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Creates the table if missing (what <c>custody-admin init</c> needs, without starting a writer).</summary>
    public static void CreateSchema(SqliteDatabase db)
    {
        ArgumentNullException.ThrowIfNull(db);
        using var connection = db.Open();
        SqliteSchema.Apply(connection, "idempotency", [Schema]);
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
            Return(reader);
            return Task.FromResult(found);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private void Return(StatementCache reader)
    {
        if (_readers.Count < MaxIdleReaders && Volatile.Read(ref _disposed) == 0) _readers.Add(reader);
        else reader.Dispose();
    }

    /// <summary>
    /// Stores a reply durably (the task completes after the commit). False when a reply for this
    /// id already exists: it is kept, the first answer given is the answer.
    /// </summary>
    public Task<bool> SaveAsync(string principal, string requestId, byte[] requestDigest, byte[] reply)
    {
        var pending = new PendingSave(principal, requestId, requestDigest, reply, _clock.GetUtcNow().ToUnixTimeMilliseconds());
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(pending), this);
        return pending.Completion.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingSave>(MaxBatch);
        StatementCache? writer = null;
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            try
            {
                var stored = new bool[batch.Count];
                writer ??= new StatementCache(_db.Open());
                using (var transaction = writer.Connection.BeginTransaction())
                {
                    var sql = Sql.On(writer, transaction);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        var save = batch[i];
                        stored[i] = sql.Execute(Insert, ("@Principal", save.Principal), ("@RequestId", save.RequestId),
                            ("@RequestDigest", save.RequestDigest), ("@Reply", save.Reply), ("@CompletedAt", save.CompletedAt)) == 1;
                    }
                    transaction.Commit();
                }
                for (var i = 0; i < batch.Count; i++) batch[i].Completion.TrySetResult(stored[i]);
            }
            catch (Exception e)
            {
                writer?.Dispose();
                writer = null; // a fresh connection for the next batch
                foreach (var pending in batch) pending.Completion.TrySetException(e);
            }
        }
        writer?.Dispose();
    }

    /// <summary>Writes what is queued, then stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        while (_readers.TryTake(out var reader)) reader.Dispose();
    }

    private sealed record PendingSave(string Principal, string RequestId, byte[] RequestDigest, byte[] Reply, long CompletedAt)
    {
        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
