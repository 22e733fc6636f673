using System.Threading.Channels;
using Custody.Storage.Sqlite;
using Dapper;

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

    public async Task<IdempotencyRecord?> FindAsync(string principal, string requestId, CancellationToken cancellationToken)
    {
        await using var connection = _db.Open();
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT request_digest, reply, completed_at FROM idempotency WHERE principal = @principal AND request_id = @requestId",
            new { principal, requestId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null
            : new IdempotencyRecord(principal, requestId, row.request_digest, row.reply, DateTimeOffset.FromUnixTimeMilliseconds(row.completed_at));
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
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            try
            {
                var stored = new bool[batch.Count];
                using (var connection = _db.Open())
                using (var transaction = connection.BeginTransaction())
                {
                    for (var i = 0; i < batch.Count; i++) stored[i] = connection.Execute(Insert, batch[i], transaction) == 1;
                    transaction.Commit();
                }
                for (var i = 0; i < batch.Count; i++) batch[i].Completion.TrySetResult(stored[i]);
            }
            catch (Exception e)
            {
                foreach (var pending in batch) pending.Completion.TrySetException(e);
            }
        }
    }

    /// <summary>Writes what is queued, then stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private sealed record Row(byte[] request_digest, byte[] reply, long completed_at);

    private sealed record PendingSave(string Principal, string RequestId, byte[] RequestDigest, byte[] Reply, long CompletedAt)
    {
        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
