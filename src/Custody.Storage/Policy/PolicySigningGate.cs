using System.Collections.Concurrent;
using System.Data;
using Custody.Core;
using Custody.Core.Policy;
using Custody.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Policy;

/// <summary>
/// The policy engine behind <see cref="ISigningGate"/>. One admission reads top to bottom in
/// <see cref="JudgeAsync"/>: inside a write transaction (BEGIN IMMEDIATE, so admissions on
/// every connection and process are serialised by SQLite's write lock) it reads the freeze
/// flags, the policy version in force when the request arrived, the velocity used, what was
/// signed under the request's replay keys and the approvals given; evaluates the pure policy;
/// and, when allowed, reserves the spending and replay keys before it commits — so two
/// parallel requests can never both pass a limit that only one fits, and the protection state
/// is durable before any signature exists. NeedsApproval parks the request instead.
/// <para>
/// Writes are group-committed (as the audit log's appends): callers queue their admission,
/// readmission or release; whoever holds the writer turn takes everything waiting and judges
/// it in arrival order inside ONE transaction, each request in its own savepoint, so each sees
/// the reservations of the ones before it and a failing one is rolled back alone. One fsync
/// then serves the whole batch and every caller completes after the commit. Dry runs only read
/// and are not queued.
/// </para>
/// </summary>
public sealed class PolicySigningGate : ISigningGate, IDisposable
{
    private readonly PolicyDatabase _database;
    private readonly PolicyVersionTable _versions = new();
    private readonly IPolicyAuditSink? _audit;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<Work> _waiting = new();
    private readonly SemaphoreSlim _turn = new(1, 1);

    // The writer's own connection with its statements prepared once; whoever holds the turn uses
    // it. Dropped after a failed batch (a fresh one is opened for the next).
    private StatementCache? _writer;

    // Bounds one transaction (and the write lock it holds against other processes).
    private const int MaxBatch = 64;

    // SQLite checkpoints the WAL inside the commit that crosses this many pages, while the writer
    // turn is held and every admission waits. An admission dirties scattered index pages, so a
    // checkpoint at SQLite's default (1,000) took 5-10 ms; a quarter of the pages, a quarter of
    // the stall (LoadGen, 8 interleaved runs: p99 at 70 % load 13.4 -> 11.6 ms, at 80 % 16.0 -> 14.6 ms),
    // for about 5 % less throughput at saturation (more, smaller checkpoints).
    internal const int CheckpointPages = 250;

    public PolicySigningGate(PolicyDatabase database, IPolicyAuditSink? audit = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _audit = audit;
        _time = time ?? TimeProvider.System;
    }

    public Task<PolicyDecision> AdmitAsync(SigningRequest request, CancellationToken cancellationToken) =>
        SubmitAsync(request, Mode.Admit, cancellationToken);

    public async Task<PolicyDecision> DryRunAsync(SigningRequest request, CancellationToken cancellationToken)
    {
        Validate(request);
        try
        {
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // A dry run writes nothing; a deferred transaction still gives it one consistent snapshot.
                using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: true);
                return (await JudgeAsync(new Sql(connection, transaction), request, Mode.DryRun).ConfigureAwait(false)).Decision;
            }
        }
        catch (Exception e) when (StoreFailure(e) is { } failure)
        {
            return failure;
        }
    }

    /// <summary>
    /// Admits a request that was parked for approval: the same judgement as
    /// <see cref="AdmitAsync"/> (freeze first, so a freeze set while it waited stops it), with
    /// the approvals verified again and the policy version it was parked under.
    /// </summary>
    public Task<PolicyDecision> ReadmitAsync(SigningRequest request, CancellationToken cancellationToken) =>
        SubmitAsync(request, Mode.Readmit, cancellationToken);

    public async Task ReleaseAsync(SigningRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outcome = await EnqueueAsync(new Work(request, Mode.Release), cancellationToken).ConfigureAwait(false);
        if (outcome.Error is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>Call only when no admission is in flight (at shutdown).</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
        _turn.Dispose();
    }

    private enum Mode
    {
        DryRun,
        Admit,
        Readmit,
        Release,
    }

    private static void Validate(SigningRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.WalletId)) throw new InvalidInputException("wallet_id", "a wallet id is required");
    }

    private async Task<PolicyDecision> SubmitAsync(SigningRequest request, Mode mode, CancellationToken cancellationToken)
    {
        Validate(request);
        var outcome = await EnqueueAsync(new Work(request, mode), cancellationToken).ConfigureAwait(false);
        if (outcome.Error is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        if (outcome.Parked is { } parked && _audit is not null)
            await _audit.RecordAsync(new PolicyAuditEvent(PolicyAuditActions.ApprovalRequested, request.Principal, parked.RequestDigest,
                $"wallet {parked.WalletId}, chain {parked.Chain}, request {parked.RequestId}, policy version {parked.PolicyVersion}, " +
                $"needs {parked.Required}, expires {parked.ExpiresAt:O}, intent {parked.IntentDigest}", _time.GetUtcNow()), cancellationToken)
                .ConfigureAwait(false);
        return outcome.Decision!;
    }

    /// <summary>
    /// Queues <paramref name="work"/> and waits for the writer turn; the holder of the turn
    /// writes everything queued, so a caller's work is usually done by an earlier holder, and
    /// the caller then answers at once. No background task: the last waiter always finds its
    /// own work either done or still queued for itself.
    /// </summary>
    private async Task<Outcome> EnqueueAsync(Work work, CancellationToken cancellationToken)
    {
        _waiting.Enqueue(work);
        var turn = _turn.WaitAsync(cancellationToken);
        if (await Task.WhenAny(turn, work.Completion.Task).ConfigureAwait(false) == work.Completion.Task)
        {
            // An earlier holder wrote it: answer now, and pass the turn on when it comes.
            _ = turn.ContinueWith(t => { if (t.IsCompletedSuccessfully) _turn.Release(); },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return await work.Completion.Task.ConfigureAwait(false);
        }
        try
        {
            await turn.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not taken by a writer yet: drop it, nothing was written. Taken: it is being
            // written and the caller must learn the outcome (a reservation may exist).
            if (work.TryCancel()) throw;
            return await work.Completion.Task.ConfigureAwait(false);
        }
        try
        {
            while (!work.Completion.Task.IsCompleted && !_waiting.IsEmpty)
                await WriteBatchAsync().ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
        return await work.Completion.Task.ConfigureAwait(false);
    }

    private async Task WriteBatchAsync()
    {
        var batch = new List<Work>();
        while (batch.Count < MaxBatch && _waiting.TryDequeue(out var queued))
            if (queued.TryTake()) batch.Add(queued);
        if (batch.Count == 0) return;

        var outcomes = new Outcome[batch.Count];
        try
        {
            _writer ??= await OpenWriterAsync().ConfigureAwait(false);
            using var transaction = _writer.Connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            var sql = Sql.On(_writer, transaction);
            for (var i = 0; i < batch.Count; i++)
            {
                // A savepoint per request: one that fails is undone alone, the batch goes on.
                transaction.Save("request");
                try
                {
                    outcomes[i] = await WriteOneAsync(sql, batch[i]).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    transaction.Rollback("request");
                    // An admission fails closed with a decision; a release throws, as it always did.
                    outcomes[i] = batch[i].Mode != Mode.Release && StoreFailure(e) is { } failure
                        ? new Outcome(failure, null, null)
                        : new Outcome(null, null, e);
                }
                transaction.Release("request");
            }
            transaction.Commit();
        }
        catch (Exception e)
        {
            _writer?.Dispose();
            _writer = null;
            // Nothing of the batch is durable: every caller hears so, none is admitted.
            var failure = StoreFailure(e);
            foreach (var work in batch)
            {
                work.Completion.TrySetResult(work.Mode != Mode.Release && failure is not null ? new Outcome(failure, null, null) : new Outcome(null, null, e));
            }
            return;
        }
        for (var i = 0; i < batch.Count; i++) batch[i].Completion.TrySetResult(outcomes[i]);
    }

    private async Task<StatementCache> OpenWriterAsync()
    {
        var writer = new StatementCache(await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false));
        Sql.On(writer, null).Execute($"PRAGMA wal_autocheckpoint = {CheckpointPages}");
        return writer;
    }

    private async Task<Outcome> WriteOneAsync(Sql sql, Work work)
    {
        if (work.Mode == Mode.Release)
        {
            ReservationTable.Release(sql, RequestDigest.Compute(work.Request), _time.GetUtcNow());
            return new Outcome(null, null, null);
        }
        var (decision, parked) = await JudgeAsync(sql, work.Request, work.Mode).ConfigureAwait(false);
        return new Outcome(decision, parked, null);
    }

    private static PolicyDecision? StoreFailure(Exception e) => e switch
    {
        SqliteException s => new PolicyDecision(PolicyOutcome.Failed, PolicyRules.Store, $"the policy store could not be used (SQLite error {s.SqliteErrorCode})", 0),
        // Only stored data can be malformed here: a request's own fields are not parsed.
        InvalidInputException i => new PolicyDecision(PolicyOutcome.Failed, PolicyRules.Store, $"stored policy state is unreadable ({i.Field})", 0),
        _ => null,
    };

    private async Task<(PolicyDecision Decision, PendingApproval? Parked)> JudgeAsync(Sql sql, SigningRequest request, Mode mode)
    {
        var digest = RequestDigest.Compute(request);
        var now = _time.GetUtcNow();
        var (connection, transaction) = (sql.Connection, sql.Transaction!);

        var pending = await PendingApprovalTable.FindAsync(sql, digest).ConfigureAwait(false);
        if (mode == Mode.Readmit && pending is null)
            return (new PolicyDecision(PolicyOutcome.Failed, PolicyRules.Approvals, "no request with this digest was parked for approval", 0), null);
        if (pending is not null && pending.IntentDigest != RequestDigest.Intent(request))
            return (new PolicyDecision(PolicyOutcome.Failed, PolicyRules.Approvals,
                "the transaction differs from the one parked for approval under this request", pending.PolicyVersion), null);

        var policy = pending is null
            ? await _versions.InForceAsync(sql, request.WalletId, request.ReceivedAt).ConfigureAwait(false)
            : await _versions.GetAsync(connection, transaction, pending.PolicyVersion).ConfigureAwait(false);
        // Held reservations under the same replay keys: a conflict unless this is an allowed replacement
        // (the evaluator decides), and then this request supersedes them, so they leave the velocity sums.
        var prior = ReservationTable.Prior(sql, request.WalletId, request.Chain.Id, request.Intent?.ReplayKeys ?? [], digest);
        var replaces = prior.Select(p => p.RequestDigest).Distinct(StringComparer.Ordinal).ToArray();
        var snapshot = new PolicySnapshot(
            FreezeTable.InForce(sql, request.WalletId),
            ReservationTable.Usage(sql, request.WalletId, PolicyEvaluator.VelocityKeys(policy, request), now, [digest, .. replaces], persist: mode != Mode.DryRun),
            prior.Select(p => p.Signing).ToArray(),
            pending is null ? null : await ApprovalCounter.CountAsync(connection, transaction, pending, policy).ConfigureAwait(false));

        var decision = PolicyEvaluator.Evaluate(policy, request, snapshot, now);
        if (mode == Mode.DryRun) return (decision, null);

        PendingApproval? parked = null;
        if (decision.IsAllowed)
        {
            var state = ReservationTable.State(sql, digest);
            if (state != ReservationState.Held)
                ReservationTable.Reserve(sql, digest, state, request, decision.PolicyVersion, replaces, now);
            if (pending is { State: PendingState.Pending })
                await PendingApprovalTable.SetStateAsync(connection, transaction, digest, PendingState.Released).ConfigureAwait(false);
        }
        else if (decision.Outcome == PolicyOutcome.NeedsApproval && pending is null && policy?.Document.Approvals is { } rules)
        {
            parked = new PendingApproval(digest, request.RequestId, request.Principal, request.WalletId, request.Chain.Id,
                request.PayloadDigest.ToLowerInvariant(), request.Intent, RequestDigest.Intent(request), decision.PolicyVersion,
                request.ReceivedAt, WholeSeconds(now + rules.Expiry), decision.ApprovalsRequired, PendingState.Pending, null);
            await PendingApprovalTable.ParkAsync(connection, transaction, parked, now).ConfigureAwait(false);
        }
        return (decision, parked);
    }

    /// <summary>A queued write; taken by one writer or cancelled by its caller, never both.</summary>
    private sealed class Work(SigningRequest request, Mode mode)
    {
        private int _state; // 0 queued, 1 taken, 2 cancelled

        public SigningRequest Request { get; } = request;
        public Mode Mode { get; } = mode;
        public TaskCompletionSource<Outcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public bool TryCancel() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;
    }

    /// <summary>A decision (admissions), the request parked (to audit after the commit), or an error for the caller.</summary>
    private sealed record Outcome(PolicyDecision? Decision, PendingApproval? Parked, Exception? Error);

    // The statement carries the expiry in whole seconds; the stored one must be exactly that instant.
    private static DateTimeOffset WholeSeconds(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());
}
