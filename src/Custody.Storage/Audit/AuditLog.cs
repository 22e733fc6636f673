using System.Threading.Channels;
using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Audit;

/// <summary>
/// The appender: the only writer of the audit tables. Appends go through a queue; whoever
/// holds the writer turn takes everything waiting, writes it in ONE transaction and
/// completes the callers only after the commit is on disk (group commit): one fsync serves
/// a whole batch, so durability does not cap throughput. The same turn signs checkpoints
/// every N records or T seconds, after the records' commit and outside their transaction,
/// so a slow or failing audit key never loses or delays a record.
/// <para>
/// Several appenders (processes: the daemon and custody-admin) may share one file. Each
/// write transaction is BEGIN IMMEDIATE, which serialises writers across processes; inside
/// it the appender reads the tail and first appends to its tree the records another
/// process committed since (checking each leaf hash against its data), so sequence numbers
/// stay gap-free and every checkpoint signs the whole file. Opening replays and verifies
/// the whole log (linear in its size) so that it never signs over altered records.
/// </para>
/// </summary>
public sealed class AuditLog : IAsyncDisposable
{
    private const string InsertRecordSql =
        "INSERT INTO audit_records (seq, time_us, principal, action, wallet_id, data, leaf_hash) "
        + "VALUES (@Seq, @TimeUs, @Principal, @Action, @WalletId, @Data, @LeafHash)";

    private const string TailSql = "SELECT max(seq) FROM audit_records";

    private const string ForeignRecordsSql =
        "SELECT seq AS Seq, time_us AS TimeUs, data AS Data, leaf_hash AS LeafHash FROM audit_records WHERE seq >= @from ORDER BY seq";

    private const string LatestCheckpointSql = "SELECT idx AS Idx, note AS Note FROM audit_checkpoints ORDER BY idx DESC LIMIT 1";

    private const string InsertCheckpointSql =
        "INSERT INTO audit_checkpoints (idx, tree_size, time_us, note) VALUES (@Idx, @TreeSize, @TimeUs, @Note)";

    private readonly SqliteConnection _connection;
    private readonly StatementCache _statements; // owns _connection
    private readonly ICheckpointSigner _signer;
    private readonly NoteVerifierKey _key;
    private readonly AuditLogOptions _options;
    private readonly string _origin;
    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Task _ticker;

    // Owned by the holder of the writer turn.
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
        _statements = new StatementCache(connection);
        _signer = signer;
        _key = NoteVerifierKey.For(signer);
        _options = options;
        _origin = options.Origin ?? signer.Name;
        _tree = tree;
        _latest = latest;
        _lastTime = lastTime;
        _size = tree.Size;
        _checkpointedSize = latest?.Checkpoint.Size ?? 0;
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
    public Task<AuditReceipt> AppendAsync(AuditRecord record) => AppendAsync(record, null);

    /// <summary>
    /// Appends a record and, in the same transaction, whatever <paramref name="attachment"/>
    /// writes once the record's receipt is known (a stored reply that quotes the receipt):
    /// both are durable together or not at all, with one commit.
    /// </summary>
    public Task<AuditReceipt> AppendAsync(AuditRecord record, IAuditAttachment? attachment)
    {
        ArgumentNullException.ThrowIfNull(record);
        AuditRecordEncoding.Encode(record);
        var work = new AppendWork(record, attachment);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(work), this);
        return WriteUntilAsync(work.Completion.Task);
    }

    /// <summary>Signs a checkpoint of everything committed now (if anything is unsigned) and returns the latest.</summary>
    public Task<SignedCheckpoint?> CheckpointAsync()
    {
        var work = new CheckpointWork();
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(work), this);
        return WriteUntilAsync(work.Completion.Task);
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
        try
        {
            await WriteUntilAsync(final.Completion.Task).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A final checkpoint that cannot be signed is retried at the next start; the records are committed.
        }
        await _turn.WaitAsync().ConfigureAwait(false); // no writer left inside
        _statements.Dispose();
        _stop.Dispose();
    }

    /// <summary>
    /// The group commit, run by the callers themselves: whoever holds the writer turn writes
    /// everything queued, batch after batch, until its own work is done; a caller whose work an
    /// earlier holder already wrote returns at once and hands its turn on when it comes.
    /// The caller's task returns at once (the write goes on on a pool thread), and the holder goes
    /// on from its commit on the same thread: one thread hop per append instead of a writer
    /// loop's two, which on a busy two-core host cost more than the writing.
    /// </summary>
    private async Task<T> WriteUntilAsync<T>(Task<T> mine)
    {
        await Task.Yield();
        var turn = _turn.WaitAsync();
        if (await Task.WhenAny(turn, mine).ConfigureAwait(false) == mine)
        {
            _ = turn.ContinueWith(_ => _turn.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return await mine.ConfigureAwait(false);
        }
        try
        {
            while (!mine.IsCompleted && WriteQueued()) { }
        }
        finally
        {
            _turn.Release();
        }
        return await mine.ConfigureAwait(false);
    }

    /// <summary>Writes one batch of what is queued and signs a checkpoint when one is due; false when nothing was queued.</summary>
    private bool WriteQueued()
    {
        var appends = new List<AppendWork>();
        var requests = new List<Work>();
        var reader = _queue.Reader;
        while (appends.Count < _options.MaxBatch && reader.TryRead(out var work))
        {
            if (work is AppendWork append) appends.Add(append);
            else requests.Add(work);
        }
        if (appends.Count == 0 && requests.Count == 0) return false;
        if (appends.Count > 0) Commit(appends);
        if (requests.Count > 0 || _tree.Size - _checkpointedSize >= _options.CheckpointEvery)
            SignCheckpoint(requests);
        return true;
    }

    private async Task RunTickerAsync()
    {
        using var timer = new PeriodicTimer(_options.CheckpointInterval, _options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var tick = new TickWork();
                if (!_queue.Writer.TryWrite(tick)) break;
                await WriteUntilAsync(tick.Completion.Task).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Commit(List<AppendWork> batch)
    {
        var tree = _tree.Clone();
        var lastTime = _lastTime;
        var rows = new List<RecordRow>(batch.Count);
        var receipts = new AuditReceipt[batch.Count];
        try
        {
            using (var tx = _connection.BeginTransaction(deferred: false))
            {
                CatchUp(tree, ref lastTime, tx);
                var now = _options.TimeProvider.GetUtcNow();
                // Time never runs backwards in the log, even when the clock does.
                var time = now > lastTime ? now : lastTime;
                for (var i = 0; i < batch.Count; i++)
                {
                    var record = batch[i].Record with { Sequence = tree.Size, Time = time };
                    var data = AuditRecordEncoding.Encode(record);
                    var leaf = MerkleHash.Leaf(data);
                    rows.Add(new RecordRow(record.Sequence, AuditTime.ToMicros(record.Time), record.Principal, record.Action, record.WalletId, data, leaf));
                    receipts[i] = new AuditReceipt(record.Sequence, record.Time, leaf);
                    tree.Append(leaf);
                }
                lastTime = time;
                _connection.Execute(InsertRecordSql, rows, tx);
                // An attachment that fails fails the whole batch, as a failed commit would: no
                // record is durable without what was to be written with it.
                for (var i = 0; i < batch.Count; i++)
                    batch[i].Attachment?.Write(Sql.On(_statements, tx), receipts[i]);
                tx.Commit();
            }
        }
        catch (Exception e)
        {
            foreach (var work in batch) work.Completion.TrySetException(e);
            return;
        }
        Adopt(tree, lastTime);
        Interlocked.Increment(ref _commits);
        for (var i = 0; i < batch.Count; i++) batch[i].Completion.TrySetResult(receipts[i]);
    }

    /// <summary>
    /// Appends to <paramref name="tree"/> the records another process committed since this
    /// one last wrote. Runs inside a write transaction, so the tail cannot move meanwhile.
    /// The single-process case costs one indexed max(seq).
    /// </summary>
    private void CatchUp(MerkleTreeState tree, ref DateTimeOffset lastTime, SqliteTransaction tx)
    {
        var next = (_connection.ExecuteScalar<long?>(TailSql, transaction: tx) ?? -1) + 1;
        if (next == tree.Size) return;
        if (next < tree.Size)
            throw new InvalidOperationException($"the audit log holds {next} records but this appender wrote {tree.Size}: records were removed; run 'custody-admin audit verify'");
        foreach (var row in _connection.Query<ForeignRecordRow>(ForeignRecordsSql, new { from = tree.Size }, tx, buffered: false))
        {
            // Another appender's rows are signed over by our next checkpoint: never take a
            // leaf hash on trust, and never accept a gap.
            if (row.Seq != tree.Size || !MerkleHash.Leaf(row.Data).AsSpan().SequenceEqual(row.LeafHash))
                throw new AuditLogTamperedException(new AuditFailure(AuditFailureKind.AlteredRecord, row.Seq,
                    "a record appended by another process does not match its leaf hash or position"));
            tree.Append(row.LeafHash);
            var time = DateTimeOffset.UnixEpoch.AddTicks(row.TimeUs * TimeSpan.TicksPerMicrosecond);
            if (time > lastTime) lastTime = time;
        }
        if (tree.Size != next)
            throw new InvalidOperationException($"the audit log's records end at {tree.Size}, not at {next}: a sequence number is missing; run 'custody-admin audit verify'");
    }

    private void Adopt(MerkleTreeState tree, DateTimeOffset lastTime)
    {
        _tree = tree;
        _lastTime = lastTime;
        Interlocked.Exchange(ref _size, tree.Size);
    }

    private void SignCheckpoint(List<Work> requests)
    {
        Exception? error = null;
        // A request or a tick also looks at the file: another process may have appended.
        if (_tree.Size > _checkpointedSize || requests.Count > 0)
        {
            try
            {
                _latest = WriteCheckpoint() ?? _latest;
                Interlocked.Exchange(ref _checkpointedSize, _latest?.Checkpoint.Size ?? 0);
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
            if (request is TickWork tick)
            {
                tick.Completion.TrySetResult(error is null); // a failed tick shows in LastCheckpointError
                continue;
            }
            if (request is not CheckpointWork c) continue;
            if (error is null) c.Completion.TrySetResult(_latest);
            else c.Completion.TrySetException(error);
        }
    }

    /// <summary>
    /// Signs and stores a checkpoint of the whole file, unless another process already
    /// stored one of the same size. Signing happens inside the write transaction so that
    /// the tail and the checkpoint index cannot move between reading and storing them.
    /// </summary>
    private SignedCheckpoint? WriteCheckpoint()
    {
        var tree = _tree.Clone();
        var lastTime = _lastTime;
        SignedCheckpoint? result;
        using (var tx = _connection.BeginTransaction(deferred: false))
        {
            CatchUp(tree, ref lastTime, tx);
            var stored = _connection.QuerySingleOrDefault<CheckpointRow>(LatestCheckpointSql, transaction: tx);
            var latest = stored is null ? null : new SignedCheckpoint(stored.Idx, Checkpoint.Open(stored.Note, _key), stored.Note);
            if (tree.Size == 0)
            {
                // Nothing to sign yet.
                result = null;
            }
            else if (latest is not null && latest.Checkpoint.Size >= tree.Size)
            {
                if (latest.Checkpoint.Size != tree.Size || !latest.Checkpoint.RootHash.Span.SequenceEqual(tree.Root()))
                    throw new AuditLogTamperedException(new AuditFailure(AuditFailureKind.Inconsistent, latest.Index,
                        $"another appender's checkpoint of size {latest.Checkpoint.Size} does not match the {tree.Size} records in the file"));
                // Another process signed this very tree already: a second checkpoint of the
                // same size would only repeat it.
                result = latest;
            }
            else
            {
                var checkpoint = new Checkpoint(_origin, tree.Size, tree.Root());
                var note = checkpoint.Sign(_signer);
                // A key that signs wrongly (or an HSM returning garbage) must not leave a checkpoint
                // that will later read as forged.
                Checkpoint.Open(note, _key);
                var index = (latest?.Index ?? -1) + 1;
                _connection.Execute(InsertCheckpointSql, new { Idx = index, TreeSize = checkpoint.Size, TimeUs = AuditTime.ToMicros(_options.TimeProvider.GetUtcNow()), Note = note }, tx);
                result = new SignedCheckpoint(index, checkpoint, note);
            }
            tx.Commit();
        }
        Adopt(tree, lastTime);
        return result;
    }

    private sealed class ForeignRecordRow
    {
        public long Seq { get; set; }
        public long TimeUs { get; set; }
        public byte[] Data { get; set; } = [];
        public byte[] LeafHash { get; set; } = [];
    }

    private sealed class CheckpointRow
    {
        public long Idx { get; set; }
        public string Note { get; set; } = "";
    }

    private sealed record RecordRow(long Seq, long TimeUs, string Principal, string Action, string? WalletId, byte[] Data, byte[] LeafHash);

    private abstract class Work;

    private sealed class AppendWork(AuditRecord record, IAuditAttachment? attachment) : Work
    {
        public AuditRecord Record { get; } = record;

        public IAuditAttachment? Attachment { get; } = attachment;

        public TaskCompletionSource<AuditReceipt> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class CheckpointWork : Work
    {
        public TaskCompletionSource<SignedCheckpoint?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class TickWork : Work
    {
        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Rows written in the same transaction as an audit record, given the record's receipt.</summary>
public interface IAuditAttachment
{
    /// <summary>Runs inside the audit log's write transaction; throwing fails the batch.</summary>
    void Write(Sql sql, AuditReceipt receipt);
}
