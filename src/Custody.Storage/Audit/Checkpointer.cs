using Custody.Core.Audit;
using Custody.Core.Audit.Notes;
using Custody.Storage.Data;
using Custody.Storage.Engine;
using Custody.Storage.Writing;

namespace Custody.Storage.Audit;

/// <summary>
/// Signs checkpoints with the audit key: at least every <see cref="LedgerOptions.CheckpointInterval"/>
/// (one second by default) while records arrive, as soon as <see cref="LedgerOptions.CheckpointEvery"/>
/// records are unsigned, on request, and on stop. Signing happens outside the writer turn (the HSM
/// call never holds up a commit); storing the note is a small change of its own that refuses to go
/// backwards. Across processes one leads at a time (<see cref="LedgerEngine.TryLeadCheckpoints"/>),
/// so there are no duplicate checkpoints; a process that does not lead tries again every interval.
/// </summary>
internal sealed class Checkpointer : IAsyncDisposable
{
    private readonly LedgerEngine _engine;
    private readonly Readers _readers;
    private readonly LedgerWriter _writer;
    private readonly AuditAppender _appender;
    private readonly ICheckpointSigner _signer;
    private readonly NoteVerifierKey _key;
    private readonly string _origin;
    private readonly LedgerOptions _options;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly SemaphoreSlim _due = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly PeriodicTimer? _timer;
    private readonly Task _loop;
    private IDisposable? _lease;
    private long _checkpointedSize;
    private long _fullySignedAtTicks;
    private long _knownSize;
    private Exception? _lastError;

    public Checkpointer(LedgerEngine engine, Readers readers, LedgerWriter writer, AuditAppender appender, ICheckpointSigner signer, LedgerOptions options, long checkpointedSize)
    {
        _engine = engine;
        _readers = readers;
        _writer = writer;
        _appender = appender;
        _signer = signer;
        _key = NoteVerifierKey.For(signer);
        _origin = options.Origin ?? signer.Name;
        _options = options;
        _checkpointedSize = checkpointedSize;
        _knownSize = checkpointedSize;
        _fullySignedAtTicks = options.Time.GetUtcNow().UtcTicks;
        _appender.Appended += size =>
        {
            if (size - Interlocked.Read(ref _checkpointedSize) >= _options.CheckpointEvery && _due.CurrentCount == 0)
                try { _due.Release(); } catch (SemaphoreFullException) { }
        };
        // Made here, not in the loop: the interval runs from the ledger's opening, even when the
        // thread pool starts the loop late (a clock that advances before would otherwise be missed).
        _timer = options.CheckpointInterval > TimeSpan.Zero ? new PeriodicTimer(options.CheckpointInterval, options.Time) : null;
        _loop = Task.Run(RunAsync);
    }

    public long CheckpointedSize => Interlocked.Read(ref _checkpointedSize);

    public Exception? LastError => Volatile.Read(ref _lastError);

    /// <summary>When this process last found every record it knew of under a signed checkpoint (or started).</summary>
    public DateTimeOffset FullySignedAt => new(Interlocked.Read(ref _fullySignedAtTicks), TimeSpan.Zero);

    /// <summary>Signs a checkpoint of the whole log now when any record is unsigned (and this process leads); returns the newest.</summary>
    public async Task<SignedCheckpoint?> SignAsync()
    {
        await _one.WaitAsync().ConfigureAwait(false);
        try
        {
            var (head, latest) = _readers.Read(sql => (AuditTables.ReadHead(sql), AuditTables.LatestCheckpoint(sql)), snapshot: true);
            _appender.Observe(head.Size);
            if (latest is not null) Advance(latest.Checkpoint.Size);
            if (latest is not null && latest.Checkpoint.Size >= head.Size) return FullySigned(latest);
            if ((_lease ??= _engine.TryLeadCheckpoints()) is null)
            {
                // Another process signs. Under steady load the head is always a little past the newest
                // checkpoint when this one looks, so it counts the log fully signed once the checkpoints
                // cover what it knew at its previous look: a signer that keeps up shows no lag here.
                var knownBefore = Interlocked.Exchange(ref _knownSize, head.Size);
                return latest is not null && latest.Checkpoint.Size >= knownBefore ? FullySigned(latest) : latest;
            }
            // A witness holding a checkpoint this log does not extend (a rollback, a rewrite) stops signing here.
            if (_options.Witnesses is { } witnesses) await witnesses.CheckBeforeSigningAsync().ConfigureAwait(false);

            var checkpoint = new Checkpoint(_origin, head.Size, head.Tree().Root());
            var note = checkpoint.Sign(_signer);
            // A key that signs wrongly (or an HSM returning garbage) must not leave a checkpoint that will read as forged.
            Checkpoint.Open(note, _key);
            var stored = await _writer.CommitAsync(LockSet.None, tx =>
            {
                var newest = AuditTables.LatestCheckpoint(tx.Sql);
                if (newest is not null && newest.Checkpoint.Size >= checkpoint.Size) return newest;
                var index = (newest?.Index ?? -1) + 1;
                AuditTables.InsertCheckpoint(tx.Sql, index, checkpoint, note, tx.Now);
                return new SignedCheckpoint(index, checkpoint, note);
            }).ConfigureAwait(false);
            Advance(stored.Checkpoint.Size);
            Volatile.Write(ref _lastError, null);
            if (ReferenceEquals(stored.Checkpoint, checkpoint)) _options.Witnesses?.Stored(stored);
            return FullySigned(stored);
        }
        catch (Exception e)
        {
            Volatile.Write(ref _lastError, e);
            throw;
        }
        finally
        {
            _one.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _timer?.Dispose();
        try
        {
            await SignAsync().ConfigureAwait(false); // every stop ends on a checkpoint
        }
        catch (Exception)
        {
            // Retried at the next start; the records are committed.
        }
        _lease?.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        // Without an interval (a command-line tool signs as it closes) only the record count triggers.
        Task Tick() => _timer is null ? Task.Delay(Timeout.Infinite, _stop.Token) : _timer.WaitForNextTickAsync(_stop.Token).AsTask();
        var tick = Tick();
        var due = _due.WaitAsync(_stop.Token);
        while (true)
        {
            try
            {
                await Task.WhenAny(tick, due).ConfigureAwait(false);
                if (_stop.IsCancellationRequested) return;
                if (tick.IsCompleted) tick = Tick();
                if (due.IsCompleted) due = _due.WaitAsync(_stop.Token);
                // A tick also looks at the store: another process may have appended.
                await SignAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // LastError and the lag metric say so; the next tick tries again.
            }
        }
    }

    private SignedCheckpoint FullySigned(SignedCheckpoint latest)
    {
        Interlocked.Exchange(ref _fullySignedAtTicks, _options.Time.GetUtcNow().UtcTicks);
        return latest;
    }

    private void Advance(long size)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref _checkpointedSize);
            if (size <= seen) return;
        }
        while (Interlocked.CompareExchange(ref _checkpointedSize, size, seen) != seen);
    }
}
