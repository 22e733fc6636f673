using System.Collections.Concurrent;
using Custody.Core.Ledger;
using Custody.Storage.Audit;
using Custody.Storage.Data;
using Custody.Storage.Engine;

namespace Custody.Storage.Writing;

/// <summary>
/// The one group-commit writer: every change to the ledger goes through it. Callers queue their
/// change; whoever holds the writer turn takes everything waiting and writes it in ONE
/// transaction (locks, each change in arrival order seeing those before it, then the batch's audit
/// records, then the commit), and every caller completes only after the commit is durable. One
/// fsync serves the whole batch. There is no writer thread: the last waiter always finds its own
/// change either written or still queued for itself, and the holder goes on from its commit on the
/// same thread (one thread hop per change instead of a writer loop's two).
/// <para>
/// Changes must be re-runnable: a serialisation failure or deadlock runs the batch again; a change
/// that throws (bad input, a bug) rolls the batch back and every change is then written alone, so it
/// fails alone, with nothing of it written. A storage fault (full, read-only, unreachable) fails
/// every change of the batch with <see cref="LedgerUnavailableException"/>. No savepoints: they cost
/// a journal per change on SQLite and stall PostgreSQL past 64 subtransactions.
/// </para>
/// </summary>
public sealed class LedgerWriter : IDisposable
{
    private const int MaxAttempts = 5;

    private readonly LedgerEngine _engine;
    private readonly AuditAppender _audit;
    private readonly TimeProvider _time;
    private readonly int _maxBatch;
    private readonly ConcurrentQueue<Change> _queue = new();
    private readonly SemaphoreSlim _turn = new(1, 1);

    // Owned by the holder of the turn; dropped after a failed batch.
    private StatementCache? _connection;
    private long _commits;
    private long _changes;
    private long _lastCommit;

    internal TimeProvider Time => _time;

    internal LedgerWriter(LedgerEngine engine, AuditAppender audit, TimeProvider time, int maxBatch)
    {
        _engine = engine;
        _audit = audit;
        _time = time;
        _maxBatch = maxBatch;
    }

    /// <summary>Transactions committed by this writer; <see cref="Changes"/> / Commits is the mean batch.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>Batches committed and how long each took, for metrics.</summary>
    public event Action<int, TimeSpan>? Committed;

    /// <summary>The last storage fault a write met, or null after a successful commit.</summary>
    public LedgerUnavailableException? LastFault { get; private set; }

    /// <summary>When the last transaction committed (TimeProvider timestamp), or 0 before the first.</summary>
    public long LastCommitTimestamp => Interlocked.Read(ref _lastCommit);

    /// <summary>Writes <paramref name="apply"/> in the next batch; completes after the commit.</summary>
    public Task<T> CommitAsync<T>(LockSet locks, Func<LedgerTransaction, T> apply, string? idempotencyKey = null)
    {
        ArgumentNullException.ThrowIfNull(apply);
        return CommitAsync<T>(locks, tx =>
        {
            var result = apply(tx);
            return () => result;
        }, idempotencyKey);
    }

    /// <summary>As above, for a result that can be told only after the batch's records are appended (it quotes a receipt).</summary>
    public async Task<T> CommitAsync<T>(LockSet locks, Func<LedgerTransaction, Func<T>> apply, string? idempotencyKey = null)
    {
        ArgumentNullException.ThrowIfNull(locks);
        ArgumentNullException.ThrowIfNull(apply);
        var change = new Change<T>(locks, apply, idempotencyKey);
        _queue.Enqueue(change);
        await WriteUntilAsync(change.Task).ConfigureAwait(false);
        return await change.Task.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
        _turn.Dispose();
    }

    private async Task WriteUntilAsync(Task mine)
    {
        await Task.Yield();
        var turn = _turn.WaitAsync();
        if (await Task.WhenAny(turn, mine).ConfigureAwait(false) == mine)
        {
            // An earlier holder wrote it: answer now, and pass the turn on when it comes.
            _ = turn.ContinueWith(_ => _turn.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }
        try
        {
            while (!mine.IsCompleted && WriteBatch()) { }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Writes one batch of what is queued; false when nothing was.</summary>
    private bool WriteBatch()
    {
        var batch = new List<Change>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var later = new List<Change>();
        while (batch.Count < _maxBatch && _queue.TryDequeue(out var change))
        {
            // One change per request id and batch: a second one is judged after the first is
            // committed, so it finds the stored reply instead of racing it.
            if (change.IdempotencyKey is { } key && !keys.Add(key)) later.Add(change);
            else batch.Add(change);
        }
        foreach (var change in later) _queue.Enqueue(change);
        if (batch.Count == 0) return false;
        Write(batch);
        return true;
    }

    private void Write(List<Change> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            var started = _time.GetTimestamp();
            try
            {
                var committed = WriteOnce(batch);
                _audit.Committed(committed);
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _changes, batch.Count);
                LastFault = null;
                Interlocked.Exchange(ref _lastCommit, _time.GetTimestamp());
                Committed?.Invoke(batch.Count, _time.GetElapsedTime(started));
                foreach (var change in batch) change.Complete();
                return;
            }
            catch (Exception e)
            {
                _connection?.Dispose();
                _connection = null;
                var error = e is LedgerUnavailableException u ? StoreError.Storage(u.Fault) : _engine.Classify(e);
                if (error.Kind == StoreErrorKind.Retry && attempt < MaxAttempts)
                {
                    Thread.Sleep(Random.Shared.Next(1, 1 << attempt)); // back off a few ms, growing
                    continue;
                }
                // Still locked or still conflicting after every attempt: the store is not answering, not the change.
                if (error.Kind == StoreErrorKind.Retry) error = StoreError.Storage(LedgerFault.Unavailable);
                if (error.Kind == StoreErrorKind.Storage)
                {
                    var fault = e as LedgerUnavailableException ?? Unavailable(error.Fault, e);
                    LastFault = fault;
                    foreach (var change in batch) change.Fail(fault);
                    return;
                }
                if (batch.Count > 1)
                {
                    // Someone's change cannot be written: write each alone, so only it fails.
                    foreach (var change in batch) Write([change]);
                    return;
                }
                batch[0].Fail(e);
                return;
            }
        }
    }

    private LedgerTransaction WriteOnce(List<Change> batch)
    {
        _connection ??= new StatementCache(_engine.Open());
        using var transaction = _engine.BeginWrite(_connection.Connection);
        var sql = new Sql(_connection, transaction);
        _engine.Lock(sql, LockSet.Union(batch.Select(c => c.Locks)));
        var tx = new LedgerTransaction(sql, _engine, _time.GetUtcNow());
        foreach (var change in batch) change.Apply(tx);
        _audit.Append(tx);
        transaction.Commit();
        return tx;
    }

    internal static LedgerUnavailableException Unavailable(LedgerFault fault, Exception e) => new(fault, fault switch
    {
        LedgerFault.Full => "the ledger's storage is full; nothing was written",
        LedgerFault.ReadOnly => "the ledger's storage is read-only; nothing was written",
        _ => "the ledger's storage does not answer; nothing was written",
    }, e);

    private abstract class Change(LockSet locks, string? idempotencyKey)
    {
        public LockSet Locks { get; } = locks;

        public string? IdempotencyKey { get; } = idempotencyKey;

        public abstract void Apply(LedgerTransaction tx);

        public abstract void Complete();

        public abstract void Fail(Exception e);
    }

    private sealed class Change<T>(LockSet locks, Func<LedgerTransaction, Func<T>> apply, string? idempotencyKey) : Change(locks, idempotencyKey)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Func<T>? _result;

        public Task<T> Task => _completion.Task;

        public override void Apply(LedgerTransaction tx) => _result = apply(tx);

        public override void Complete()
        {
            try
            {
                _completion.TrySetResult(_result!());
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
            }
        }

        public override void Fail(Exception e) => _completion.TrySetException(e);
    }
}
