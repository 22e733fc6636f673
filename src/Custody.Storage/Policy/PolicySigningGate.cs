using System.Data;
using Custody.Core;
using Custody.Core.Policy;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Policy;

/// <summary>
/// The policy engine behind <see cref="ISigningGate"/>. One admission reads top to bottom in
/// <see cref="JudgeAsync"/>: inside one write transaction (BEGIN IMMEDIATE, so admissions on
/// every connection and process are serialised by SQLite's write lock) it reads the freeze
/// flags, the policy version in force when the request arrived, the velocity used, what was
/// signed under the request's replay keys and the approvals given; evaluates the pure policy;
/// and, when allowed, reserves the spending and replay keys before it commits — so two
/// parallel requests can never both pass a limit that only one fits, and the protection state
/// is durable before any signature exists. NeedsApproval parks the request instead.
/// </summary>
public sealed class PolicySigningGate : ISigningGate
{
    private readonly PolicyDatabase _database;
    private readonly PolicyVersionTable _versions = new();
    private readonly IPolicyAuditSink? _audit;
    private readonly TimeProvider _time;

    public PolicySigningGate(PolicyDatabase database, IPolicyAuditSink? audit = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _audit = audit;
        _time = time ?? TimeProvider.System;
    }

    public Task<PolicyDecision> AdmitAsync(SigningRequest request, CancellationToken cancellationToken) =>
        JudgeAsync(request, Mode.Admit, cancellationToken);

    public Task<PolicyDecision> DryRunAsync(SigningRequest request, CancellationToken cancellationToken) =>
        JudgeAsync(request, Mode.DryRun, cancellationToken);

    /// <summary>
    /// Admits a request that was parked for approval: the same judgement as
    /// <see cref="AdmitAsync"/> (freeze first, so a freeze set while it waited stops it), with
    /// the approvals verified again and the policy version it was parked under.
    /// </summary>
    public Task<PolicyDecision> ReadmitAsync(SigningRequest request, CancellationToken cancellationToken) =>
        JudgeAsync(request, Mode.Readmit, cancellationToken);

    public async Task ReleaseAsync(SigningRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var digest = RequestDigest.Compute(request);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            await ReservationTable.ReleaseAsync(connection, transaction, digest, _time.GetUtcNow()).ConfigureAwait(false);
            transaction.Commit();
        }
    }

    private enum Mode
    {
        DryRun,
        Admit,
        Readmit,
    }

    private async Task<PolicyDecision> JudgeAsync(SigningRequest request, Mode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.WalletId)) throw new InvalidInputException("wallet_id", "a wallet id is required");
        var digest = RequestDigest.Compute(request);
        PendingApproval? parked = null;
        PolicyDecision decision;
        try
        {
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // A dry run writes nothing; a deferred transaction still gives it one consistent snapshot.
                using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: mode == Mode.DryRun);
                var now = _time.GetUtcNow();

                var pending = await PendingApprovalTable.FindAsync(connection, transaction, digest).ConfigureAwait(false);
                if (mode == Mode.Readmit && pending is null)
                    return new PolicyDecision(PolicyOutcome.Failed, PolicyRules.Approvals, "no request with this digest was parked for approval", 0);
                if (pending is not null && pending.IntentDigest != RequestDigest.Intent(request))
                    return new PolicyDecision(PolicyOutcome.Failed, PolicyRules.Approvals,
                        "the transaction differs from the one parked for approval under this request", pending.PolicyVersion);

                var policy = pending is null
                    ? await _versions.InForceAsync(connection, transaction, request.WalletId, request.ReceivedAt).ConfigureAwait(false)
                    : await _versions.GetAsync(connection, transaction, pending.PolicyVersion).ConfigureAwait(false);
                // Held reservations under the same replay keys: a conflict unless this is an allowed replacement
                // (the evaluator decides), and then this request supersedes them, so they leave the velocity sums.
                var prior = await ReservationTable.PriorAsync(connection, transaction, request.WalletId, request.Chain.Id,
                    request.Intent?.ReplayKeys ?? [], digest).ConfigureAwait(false);
                var replaces = prior.Select(p => p.RequestDigest).Distinct(StringComparer.Ordinal).ToArray();
                var snapshot = new PolicySnapshot(
                    await FreezeTable.InForceAsync(connection, transaction, request.WalletId).ConfigureAwait(false),
                    await ReservationTable.UsageAsync(connection, transaction, request.WalletId,
                        PolicyEvaluator.VelocityKeys(policy, request), now, [digest, .. replaces]).ConfigureAwait(false),
                    prior.Select(p => p.Signing).ToArray(),
                    pending is null ? null : await ApprovalCounter.CountAsync(connection, transaction, pending, policy).ConfigureAwait(false));

                decision = PolicyEvaluator.Evaluate(policy, request, snapshot, now);
                if (mode == Mode.DryRun) return decision;

                if (decision.IsAllowed)
                {
                    if (!await ReservationTable.IsHeldAsync(connection, transaction, digest).ConfigureAwait(false))
                    {
                        await ReservationTable.ReserveAsync(connection, transaction, digest, request, decision.PolicyVersion, replaces, now)
                            .ConfigureAwait(false);
                    }
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
                transaction.Commit();
            }
        }
        catch (SqliteException e)
        {
            return new PolicyDecision(PolicyOutcome.Failed, PolicyRules.Store, $"the policy store could not be used (SQLite error {e.SqliteErrorCode})", 0);
        }
        catch (InvalidInputException e)
        {
            // Only stored data can be malformed here: a request's own fields are not parsed.
            return new PolicyDecision(PolicyOutcome.Failed, PolicyRules.Store, $"stored policy state is unreadable ({e.Field})", 0);
        }

        if (parked is not null && _audit is not null)
            await _audit.RecordAsync(new PolicyAuditEvent(PolicyAuditActions.ApprovalRequested, request.Principal, parked.RequestDigest,
                $"wallet {parked.WalletId}, chain {parked.Chain}, request {parked.RequestId}, policy version {parked.PolicyVersion}, " +
                $"needs {parked.Required}, expires {parked.ExpiresAt:O}, intent {parked.IntentDigest}", _time.GetUtcNow()), cancellationToken)
                .ConfigureAwait(false);
        return decision;
    }

    // The statement carries the expiry in whole seconds; the stored one must be exactly that instant.
    private static DateTimeOffset WholeSeconds(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());
}
