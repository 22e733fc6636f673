using System.Diagnostics.Metrics;
using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Witness;
using Custody.Core.Ledger;
using Custody.Daemon.Metrics;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon.Audit;

/// <summary>
/// Sends every stored checkpoint to each witness, one background loop per witness, with the RFC 6962
/// consistency proof from the size the witness holds. The first thing each loop does after the start
/// is submit the newest stored checkpoint: that tells the daemon whether the log still extends what
/// the witness holds before it signs anything new. A witness that holds more than the newest stored
/// checkpoint (a rollback, a deleted tail) or a tree this log does not extend (a rewritten history)
/// is a conflict: <see cref="CheckBeforeSigningAsync"/> refuses every new checkpoint from then on,
/// the error is logged and <c>custody_audit_witness_conflict</c> is 1. A witness that does not
/// answer is retried with back-off (1 s doubling to a minute) while signing goes on, and its lag
/// metrics grow.
/// <para>
/// Proofs are built from the tree's right edge at the witness's size plus the records since
/// (<see cref="MerkleTreeState.ConsistencyProof"/>): memory stays O(log n). Learning the right edge
/// at a size the daemon did not send reads that many leaf hashes once.
/// </para>
/// </summary>
public sealed class CheckpointWitnesses : ICheckpointWitnesses, IAsyncDisposable
{
    /// <summary>How long signing waits for a witness's first answer after the start.</summary>
    public static readonly TimeSpan FirstAnswerWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan MaxBackOff = TimeSpan.FromMinutes(1);

    private readonly List<Link> _links;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stop = new();
    private IAuditLedger? _audit;

    public CheckpointWitnesses(IEnumerable<IWitness> witnesses, CustodyMetrics metrics, TimeProvider clock, ILogger<CheckpointWitnesses> logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _links = witnesses.Select(w => new Link(w)).ToList();
        _clock = clock;
        _logger = logger;
        var meter = metrics.Meter;
        meter.CreateObservableGauge("custody.audit.witness.lag.records", () => Each(l => Math.Max(0, CheckpointedSize - l.HeldSize)), "{record}",
            "Signed audit records a witness does not hold yet.");
        meter.CreateObservableGauge("custody.audit.witness.lag", () => Each(l => CheckpointedSize > l.HeldSize ? Math.Max(0, (_clock.GetUtcNow() - l.CaughtUpAt).TotalSeconds) : 0.0), "s",
            "How long a witness has been behind the newest signed checkpoint: 0 when it holds it.");
        meter.CreateObservableGauge("custody.audit.witness.conflict", () => Each(l => l.Conflict is null ? 0 : 1), "{state}",
            "1 when a witness holds a checkpoint this audit log does not extend: no checkpoint is signed until it is resolved.");
    }

    public bool Any => _links.Count > 0;

    private long CheckpointedSize => _audit?.CheckpointedSize ?? 0;

    /// <summary>Starts the loops once the ledger is open (the ledger is opened with this object).</summary>
    public void Start(IAuditLedger audit)
    {
        _audit = audit;
        foreach (var link in _links)
        {
            link.CaughtUpAt = _clock.GetUtcNow();
            link.Loop = Task.Run(() => RunAsync(link, audit));
        }
    }

    public async Task CheckBeforeSigningAsync()
    {
        var first = Task.WhenAll(_links.Select(l => l.FirstAnswer.Task));
        await Task.WhenAny(first, Task.Delay(FirstAnswerWait, _clock)).ConfigureAwait(false);
        if (_links.FirstOrDefault(l => l.Conflict is not null) is { } conflicted)
            throw new AuditLogTamperedException(new AuditFailure(AuditFailureKind.ExternalCheckpoint, _links.IndexOf(conflicted),
                $"witness {conflicted.Witness.Name}: {conflicted.Conflict}"));
    }

    public void Stored(SignedCheckpoint checkpoint)
    {
        foreach (var link in _links) link.Wake();
    }

    /// <summary>Stops the loops. The checkpoint signed at stop reaches the witnesses at the next start, which submits the newest first.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var link in _links)
        {
            if (link.Loop is { } loop) await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            link.Dispose();
        }
        _stop.Dispose();
    }

    private IEnumerable<Measurement<T>> Each<T>(Func<Link, T> value) where T : struct =>
        _links.Select(l => new Measurement<T>(value(l), new KeyValuePair<string, object?>("witness", l.Witness.Name)));

    private async Task RunAsync(Link link, IAuditLedger audit)
    {
        var backOff = TimeSpan.FromSeconds(1);
        while (!_stop.IsCancellationRequested)
        {
            SignedCheckpoint? newest = null;
            try
            {
                newest = await audit.LatestCheckpointAsync(_stop.Token).ConfigureAwait(false);
                if (newest is not null && (link.HeldSize != newest.Checkpoint.Size || !link.Synced))
                    await SendAsync(link, audit, newest).ConfigureAwait(false);
                link.FirstAnswer.TrySetResult();
                backOff = TimeSpan.FromSeconds(1);
                if (link.Conflict is not null) return; // nothing more is signed; a restart asks again
                await link.WaitAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                // Unreachable, timed out, refused (400, 403, 404: not set up for this log), or the ledger failed: try again later.
                link.FirstAnswer.TrySetResult(); // a witness that does not answer does not hold signing up
                Log.WitnessUnreachable(_logger, link.Witness.Name, newest?.Checkpoint.Size ?? 0, backOff.TotalSeconds, e.Message);
                try
                {
                    await Task.Delay(backOff, _clock, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backOff = TimeSpan.FromTicks(Math.Min(MaxBackOff.Ticks, backOff.Ticks * 2));
            }
        }
    }

    /// <summary>Brings the witness to <paramref name="newest"/>, learning its size on a 409; sets the conflict when the log does not extend what it holds.</summary>
    private async Task SendAsync(Link link, IAuditLedger audit, SignedCheckpoint newest)
    {
        var size = newest.Checkpoint.Size;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // The right edge at the size the witness holds; before the first answer, assume nothing (size 0).
            link.Edge ??= new MerkleTreeState();
            // From size 0 the proof is empty: the leaves are read (in pages) only once the witness accepts.
            var appended = link.Edge.Size == 0 ? [] : await audit.LeafHashesAsync(link.Edge.Size, size, _stop.Token).ConfigureAwait(false);
            var proof = link.Edge.Size == 0 ? [] : link.Edge.ConsistencyProof(appended).Path;
            var (verdict, held, reason) = await link.Witness.AddCheckpointAsync(new AddCheckpointRequest(link.Edge.Size, proof, newest.Note), _stop.Token)
                .ConfigureAwait(false);
            switch (verdict)
            {
                case WitnessVerdict.Accepted:
                    if (link.Edge.Size == 0) link.Edge = await EdgeAtAsync(audit, size).ConfigureAwait(false);
                    else foreach (var leaf in appended) link.Edge.Append(leaf);
                    link.Synced = true;
                    link.HeldSize = size;
                    link.CaughtUpAt = _clock.GetUtcNow();
                    Log.WitnessAccepted(_logger, link.Witness.Name, size);
                    return;
                case WitnessVerdict.Conflict when held != link.Edge.Size:
                    link.HeldSize = held;
                    if (held > size)
                    {
                        SetConflict(link, $"it holds a checkpoint of {held} records, the newest checkpoint here signs {size}: records were removed (a rollback or a deleted tail)");
                        return;
                    }
                    link.Edge = await EdgeAtAsync(audit, held).ConfigureAwait(false);
                    continue;
                default:
                    SetConflict(link, $"{reason}: the {link.Edge.Size} records it holds are not the first {link.Edge.Size} of this log (a rewritten history)");
                    return;
            }
        }
        throw new IOException($"witness {link.Witness.Name} kept changing the size it holds");
    }

    private void SetConflict(Link link, string reason)
    {
        link.Conflict = reason;
        link.Synced = true;
        Log.WitnessConflict(_logger, link.Witness.Name, reason);
    }

    /// <summary>The right edge of the first <paramref name="size"/> records, read in pages.</summary>
    private async Task<MerkleTreeState> EdgeAtAsync(IAuditLedger audit, long size)
    {
        const long Page = 65_536;
        var edge = new MerkleTreeState();
        for (long from = 0; from < size; from += Page)
            foreach (var leaf in await audit.LeafHashesAsync(from, Math.Min(size, from + Page), _stop.Token).ConfigureAwait(false))
                edge.Append(leaf);
        return edge;
    }

    /// <summary>One witness and what the daemon knows of it; touched by its own loop, read by metrics.</summary>
    private sealed class Link(IWitness witness) : IDisposable
    {
        private readonly SemaphoreSlim _wake = new(0, 1);
        private long _heldSize;
        private long _caughtUpAtTicks;
        private volatile string? _conflict;

        public IWitness Witness { get; } = witness;

        public TaskCompletionSource FirstAnswer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task? Loop { get; set; }

        public MerkleTreeState? Edge { get; set; }

        public bool Synced { get; set; }

        public long HeldSize
        {
            get => Interlocked.Read(ref _heldSize);
            set => Interlocked.Exchange(ref _heldSize, value);
        }

        public DateTimeOffset CaughtUpAt
        {
            get => new(Interlocked.Read(ref _caughtUpAtTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _caughtUpAtTicks, value.UtcTicks);
        }

        public string? Conflict
        {
            get => _conflict;
            set => _conflict = value;
        }

        public void Wake()
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }

        public Task WaitAsync(CancellationToken cancellationToken) => _wake.WaitAsync(cancellationToken);

        public void Dispose() => _wake.Dispose();
    }
}
