using System.Threading.Channels;
using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Audit;

/// <summary>
/// The appender: the only writer of the audit tables. Appends go through a queue to one
/// writer loop that takes everything waiting, writes it in ONE transaction and completes
/// the callers only after the commit is on disk (group commit): one fsync serves a whole
/// batch, so durability does not cap throughput. The same loop signs checkpoints every
/// N records or T seconds, after the records' commit and outside their transaction, so a
/// slow or failing audit key never loses or delays a record.
/// <para>
/// One appender per file: a second one (another process) would fail its inserts on the
/// sequence primary key rather than corrupt the log. Opening replays and verifies the
/// whole log (linear in its size) so that it never signs over altered records.
/// </para>
/// </summary>
public sealed class AuditLog : IAsyncDisposable
{
    private const string InsertRecordSql =
        "INSERT INTO audit_records (seq, time_us, principal, action, wallet_id, data, leaf_hash) "
        + "VALUES (@Seq, @TimeUs, @Principal, @Action, @WalletId, @Data, @LeafHash)";

    private const string InsertCheckpointSql =
        "INSERT INTO audit_checkpoints (idx, tree_size, time_us, note) VALUES (@Idx, @TreeSize, @TimeUs, @Note)";

    private readonly SqliteConnection _connection;
    private readonly ICheckpointSigner _signer;
    private readonly NoteVerifierKey _key;
    private readonly AuditLogOptions _options;
    private readonly string _origin;
    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private readonly Task _ticker;

    // Owned by the writer loop.
    private MerkleTreeState _tree;
    private DateTimeOffset _lastTime;
    private SignedCheckpoint? _latest;

    private long _size;
    private long _checkpointedSize;
    private long _commits;
    private int _disposed;
    private Exception? _lastCheckpointError;

    private AuditLog(SqliteConnection connection, ICheckpointSigner signer, AuditLogOptions options, MerkleTreeState tree, SignedCheckpoint? latest, DateTimeOffset lastTime)
    {
        _connection = connection;
        _signer = signer;
        _key = NoteVerifierKey.For(signer);
        _options = options;
        _origin = options.Origin ?? signer.Name;
        _tree = tree;
        _latest = latest;
        _lastTime = lastTime;
        _size = tree.Size;
        _checkpointedSize = latest?.Checkpoint.Size ?? 0;
        _writer = Task.Run(RunWriterAsync);
        _ticker = Task.Run(RunTickerAsync);
    }

    /// <summary>Records committed.</summary>
    public long Size => Interlocked.Read(ref _size);

    /// <summary>Records covered by the latest signed checkpoint.</summary>
    public long CheckpointedSize => Interlocked.Read(ref _checkpointedSize);

    /// <summary>Transactions committed by this instance (appends / commits = the mean batch).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>The last failure to sign or store a checkpoint; the next trigger retries.</summary>
    public Exception? LastCheckpointError
    {
        get => Volatile.Read(ref _lastCheckpointError);
        private set => Volatile.Write(ref _lastCheckpointError, value);
    }

    /// <summary>
    /// Opens (creating if needed) the log in <paramref name="database"/>. The existing log
    /// is replayed and verified against <paramref name="signer"/>'s key first; a log that
    /// does not verify throws <see cref="AuditLogTamperedException"/>.
    /// </summary>
    public static AuditLog Open(SqliteDatabase database, ICheckpointSigner signer, AuditLogOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(signer);
        options ??= new AuditLogOptions();
        if (options.CheckpointEvery < 1 || options.MaxBatch < 1 || options.CheckpointInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), "checkpoint spacing and batch size must be positive");
        if (database.ReadOnly) throw new ArgumentException("the appender needs a writable database", nameof(database));
        var connection = database.Open();
        try
        {
            AuditSchema.Apply(connection);
            var reader = new AuditLogReader(database);
            var (verdict, tree) = reader.Replay(NoteVerifierKey.For(signer));
            if (verdict.Failure is { } failure) throw new AuditLogTamperedException(failure);
            var latest = reader.LatestCheckpoint();
            var lastTime = reader.LastRecordTime() ?? DateTimeOffset.MinValue;
            return new AuditLog(connection, signer, options, tree, latest, lastTime);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends a record; the log assigns <see cref="AuditRecord.Sequence"/> and
    /// <see cref="AuditRecord.Time"/>. The task completes once the record is durable.
    /// Invalid records throw <see cref="Core.InvalidInputException"/> here, before queueing.
    /// </summary>
    public Task<AuditReceipt> AppendAsync(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        AuditRecordEncoding.Encode(record);
        var work = new AppendWork(record);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(work), this);
        return work.Completion.Task;
    }

    /// <summary>Signs a checkpoint of everything committed now (if anything is unsigned) and returns the latest.</summary>
    public Task<SignedCheckpoint?> CheckpointAsync()
    {
        var work = new CheckpointWork();
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(work), this);
        return work.Completion.Task;
    }

    /// <summary>Writes what is queued, signs a final checkpoint and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        var final = new CheckpointWork();
        _queue.Writer.TryWrite(final);
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _ticker.ConfigureAwait(false);
        await _writer.ConfigureAwait(false);
        _connection.Dispose();
        _stop.Dispose();
    }

    private async Task RunWriterAsync()
    {
        var appends = new List<AppendWork>();
        var requests = new List<Work>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (appends.Count < _options.MaxBatch && reader.TryRead(out var work))
            {
                if (work is AppendWork append) appends.Add(append);
                else requests.Add(work);
            }
            if (appends.Count > 0) Commit(appends);
            if (requests.Count > 0 || _tree.Size - _checkpointedSize >= _options.CheckpointEvery)
                SignCheckpoint(requests);
            appends.Clear();
            requests.Clear();
        }
    }

    private async Task RunTickerAsync()
    {
        using var timer = new PeriodicTimer(_options.CheckpointInterval, _options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                _queue.Writer.TryWrite(new TickWork());
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Commit(List<AppendWork> batch)
    {
        var tree = _tree.Clone();
        var now = _options.TimeProvider.GetUtcNow();
        // Time never runs backwards in the log, even when the clock does.
        var time = now > _lastTime ? now : _lastTime;
        var rows = new List<RecordRow>(batch.Count);
        var receipts = new AuditReceipt[batch.Count];
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var record = batch[i].Record with { Sequence = tree.Size, Time = time };
                var data = AuditRecordEncoding.Encode(record);
                var leaf = MerkleHash.Leaf(data);
                rows.Add(new RecordRow(record.Sequence, AuditTime.ToMicros(record.Time), record.Principal, record.Action, record.WalletId, data, leaf));
                receipts[i] = new AuditReceipt(record.Sequence, record.Time, leaf);
                tree.Append(leaf);
            }
            using (var tx = _connection.BeginTransaction(deferred: false))
            {
                _connection.Execute(InsertRecordSql, rows, tx);
                tx.Commit();
            }
        }
        catch (Exception e)
        {
            foreach (var work in batch) work.Completion.TrySetException(e);
            return;
        }
        _tree = tree;
        _lastTime = time;
        Interlocked.Exchange(ref _size, tree.Size);
        Interlocked.Increment(ref _commits);
        for (var i = 0; i < batch.Count; i++) batch[i].Completion.TrySetResult(receipts[i]);
    }

    private void SignCheckpoint(List<Work> requests)
    {
        Exception? error = null;
        if (_tree.Size > _checkpointedSize)
        {
            try
            {
                _latest = WriteCheckpoint();
                Interlocked.Exchange(ref _checkpointedSize, _latest.Checkpoint.Size);
                LastCheckpointError = null;
            }
            catch (Exception e)
            {
                error = e;
                LastCheckpointError = e;
            }
        }
        foreach (var request in requests)
        {
            if (request is not CheckpointWork c) continue;
            if (error is null) c.Completion.TrySetResult(_latest);
            else c.Completion.TrySetException(error);
        }
    }

    private SignedCheckpoint WriteCheckpoint()
    {
        var checkpoint = new Checkpoint(_origin, _tree.Size, _tree.Root());
        var note = checkpoint.Sign(_signer);
        // A key that signs wrongly (or an HSM returning garbage) must not leave a checkpoint
        // that will later read as forged.
        Checkpoint.Open(note, _key);
        var index = (_latest?.Index ?? -1) + 1;
        using (var tx = _connection.BeginTransaction(deferred: false))
        {
            _connection.Execute(InsertCheckpointSql, new { Idx = index, TreeSize = checkpoint.Size, TimeUs = AuditTime.ToMicros(_options.TimeProvider.GetUtcNow()), Note = note }, tx);
            tx.Commit();
        }
        return new SignedCheckpoint(index, checkpoint, note);
    }

    private sealed record RecordRow(long Seq, long TimeUs, string Principal, string Action, string? WalletId, byte[] Data, byte[] LeafHash);

    private abstract class Work;

    private sealed class AppendWork(AuditRecord record) : Work
    {
        public AuditRecord Record { get; } = record;
        public TaskCompletionSource<AuditReceipt> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class CheckpointWork : Work
    {
        public TaskCompletionSource<SignedCheckpoint?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class TickWork : Work;
}
