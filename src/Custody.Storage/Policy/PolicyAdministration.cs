using System.Data;
using Custody.Core;
using Custody.Core.Policy;

namespace Custody.Storage.Policy;

/// <summary>A published policy version and what changed from the previous version of its scope.</summary>
public sealed record PublishedPolicy(long Version, PolicyScope Scope, string CanonicalDocument, string Diff, bool Changed);

/// <summary>
/// The administrative operations the daemon (and custody-admin through it) calls: publish a
/// policy version, freeze and unfreeze, register and revoke approver keys. Each change is
/// committed, then reported to the audit sink (a policy change with its line diff). Publishing,
/// unfreezing and approver keys need the admin role; anyone the daemon lets call freeze may
/// freeze — stopping is always allowed, resuming is not.
/// </summary>
public sealed class PolicyAdministration
{
    public const string AdminRole = "admin";
    private const int MaxReasonLength = 1000;

    private readonly PolicyDatabase _database;
    private readonly PolicyVersionTable _versions = new();
    private readonly IPolicyAuditSink _audit;
    private readonly TimeProvider _time;

    public PolicyAdministration(PolicyDatabase database, IPolicyAuditSink audit, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(audit);
        _database = database;
        _audit = audit;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Validates the document (errors name the line), stores its canonical form as a new version
    /// in force from now, and audits the diff. Publishing the same canonical document again
    /// changes nothing and returns the current version.
    /// </summary>
    public Task<PublishedPolicy> PublishAsync(PolicyScope scope, string documentText, string principal,
        IReadOnlyCollection<string> roles, CancellationToken cancellationToken) =>
        PublishAsync(scope, documentText, principal, roles, reason: null, cancellationToken);

    /// <summary>As above, with the operator's reason for the change (optional) in the audit record.</summary>
    public async Task<PublishedPolicy> PublishAsync(PolicyScope scope, string documentText, string principal,
        IReadOnlyCollection<string> roles, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        RequireAdmin(principal, roles, "publish a policy");
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reason is { Length: > MaxReasonLength } || reason?.Contains('\n', StringComparison.Ordinal) == true)
            throw new InvalidInputException("reason", $"at most {MaxReasonLength} characters on one line");
        var canonical = PolicyJson.Write(PolicyJson.Parse(documentText));
        PublishedPolicy published;
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            var latest = await _versions.LatestAsync(connection, transaction, scope).ConfigureAwait(false);
            if (latest is { } current && current.Document == canonical)
                return new PublishedPolicy(current.Version, scope, canonical, "", Changed: false);
            var now = _time.GetUtcNow();
            var version = await _versions.AppendAsync(connection, transaction, scope, canonical, now, principal).ConfigureAwait(false);
            transaction.Commit();
            published = new PublishedPolicy(version, scope, canonical, LineDiff.Compute(latest?.Document ?? "", canonical), Changed: true);
        }
        await _audit.RecordAsync(new PolicyAuditEvent(PolicyAuditActions.PolicyPublished, principal, scope.ToString(),
            reason is null ? $"version {published.Version}\n{published.Diff}" : $"version {published.Version}\nreason: {reason}\n{published.Diff}",
            _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return published;
    }

    /// <summary>The newest canonical document of exactly this scope, or null.</summary>
    public async Task<(long Version, string Document)?> GetAsync(PolicyScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
            return await _versions.LatestAsync(connection, null, scope).ConfigureAwait(false);
    }

    /// <summary>Freezes a wallet or everything, at once: the next admission (on any connection) sees it.</summary>
    public async Task<FreezeState> FreezeAsync(PolicyScope scope, string principal, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > MaxReasonLength)
            throw new InvalidInputException("reason", $"a freeze needs a reason of 1 to {MaxReasonLength} characters");
        var freeze = new FreezeState(scope, principal, _time.GetUtcNow(), reason.Trim());
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            await FreezeTable.SetAsync(connection, transaction, freeze).ConfigureAwait(false);
            transaction.Commit();
        }
        await _audit.RecordAsync(new PolicyAuditEvent(PolicyAuditActions.Frozen, principal, scope.ToString(), freeze.Reason, freeze.FrozenAt),
            cancellationToken).ConfigureAwait(false);
        return freeze;
    }

    /// <summary>Lifts a freeze (admin role only); false when the scope was not frozen.</summary>
    public async Task<bool> UnfreezeAsync(PolicyScope scope, string principal, IReadOnlyCollection<string> roles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        RequireAdmin(principal, roles, "unfreeze");
        bool cleared;
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            cleared = await FreezeTable.ClearAsync(connection, transaction, scope).ConfigureAwait(false);
            transaction.Commit();
        }
        if (cleared)
            await _audit.RecordAsync(new PolicyAuditEvent(PolicyAuditActions.Unfrozen, principal, scope.ToString(), "", _time.GetUtcNow()),
                cancellationToken).ConfigureAwait(false);
        return cleared;
    }

    public async Task<FreezeState?> GetFreezeAsync(PolicyScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
            return await FreezeTable.GetAsync(connection, null, scope).ConfigureAwait(false);
    }

    /// <summary>Registers (or replaces) an approver's public key; audited with the key's fingerprint.</summary>
    public async Task RegisterApproverAsync(ApproverKey key, string principal, IReadOnlyCollection<string> roles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        RequireAdmin(principal, roles, "register an approver key");
        var now = _time.GetUtcNow();
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            await ApproverTable.UpsertAsync(connection, transaction, key, principal, now).ConfigureAwait(false);
            transaction.Commit();
        }
        await _audit.RecordAsync(new PolicyAuditEvent(PolicyAuditActions.ApproverRegistered, principal, key.ApproverId,
            $"{key.Algorithm} key {key.Fingerprint}", now), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes an approver's key: its approvals stop counting, even those already given. False when none was active.</summary>
    public async Task<bool> RevokeApproverAsync(string approverId, string principal, IReadOnlyCollection<string> roles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approverId);
        RequireAdmin(principal, roles, "revoke an approver key");
        var now = _time.GetUtcNow();
        bool revoked;
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            revoked = await ApproverTable.RevokeAsync(connection, transaction, approverId, now).ConfigureAwait(false);
            transaction.Commit();
        }
        if (revoked)
            await _audit.RecordAsync(new PolicyAuditEvent(PolicyAuditActions.ApproverRevoked, principal, approverId, "", now), cancellationToken)
                .ConfigureAwait(false);
        return revoked;
    }

    private static void RequireAdmin(string principal, IReadOnlyCollection<string> roles, string action)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        ArgumentNullException.ThrowIfNull(roles);
        if (!roles.Contains(AdminRole, StringComparer.Ordinal))
            throw new UnauthorizedAccessException($"'{principal}' needs the {AdminRole} role to {action}");
    }
}
