using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Storage.Audit;
using Custody.Storage.Data;
using Custody.Storage.Writing;

namespace Custody.Storage.Sqlite;

/// <summary>An older installation's other files: policy.db and audit.db beside custody.db.</summary>
public sealed record LegacyFiles(string PolicyDatabase, string AuditDatabase)
{
    /// <summary>What the files are renamed to once moved in: kept for the operator to inspect, never read again.</summary>
    public const string SetAsideSuffix = ".pre-ledger";

    public bool Present => File.Exists(PolicyDatabase) && File.Exists(AuditDatabase);

    internal void SetAside()
    {
        foreach (var file in new[] { PolicyDatabase, AuditDatabase }.SelectMany(f => new[] { f, f + "-wal", f + "-shm" }))
            if (File.Exists(file)) File.Move(file, file + SetAsideSuffix, overwrite: true);
    }
}

/// <summary>
/// Moves a three-file installation (custody.db + policy.db + audit.db) into the one ledger file, in
/// the transaction that creates the new schema: every wallet, token, policy version, freeze,
/// approver, parked request, held reservation, stored reply, audit record and checkpoint. Records
/// and checkpoints are copied byte for byte, so the old checkpoints still verify; the audit head is
/// computed once from the records (refusing a log whose leaf hashes do not match), and a
/// "ledger.migrated" record states what was moved. SQLite opens each old file's WAL as it always does:
/// committed frames count, a half-written tail does not. A crash before the commit leaves the old
/// files untouched for the next start.
/// </summary>
internal static class LegacyMigration
{
    public static void Run(Sql sql, SqliteEngine engine, LegacyFiles legacy)
    {
        var moved = new Dictionary<string, string>(StringComparer.Ordinal);
        var hasPolicy = File.Exists(legacy.PolicyDatabase);
        var hasAudit = File.Exists(legacy.AuditDatabase);
        if (hasPolicy) MovePolicy(sql, moved);
        if (hasAudit) MoveAudit(sql, moved);
        MoveReplies(sql, hasAudit, moved);
        // The old per-component schema rows of custody.db describe tables that are now the ledger's.
        sql.Execute("DELETE FROM schema_versions WHERE component IN ('wallets', 'tokens', 'idempotency')");
        if (moved.Count == 0) return;
        moved["from"] = $"{Path.GetFileName(legacy.PolicyDatabase)}, {Path.GetFileName(legacy.AuditDatabase)}";
        var tx = new LedgerTransaction(sql, engine, DateTimeOffset.UtcNow);
        tx.Record(new AuditRecord { Principal = "custody", Action = AuditActions.LedgerMigrated, Details = moved });
        new AuditAppender(0).Append(tx);
    }

    /// <summary>Attaches the old files; SQLite refuses ATTACH inside a transaction, so the engine calls this before it begins.</summary>
    public static void Attach(Sql sql, LegacyFiles legacy)
    {
        if (File.Exists(legacy.PolicyDatabase)) sql.Execute("ATTACH DATABASE @path AS legacy_policy", ("@path", legacy.PolicyDatabase));
        if (File.Exists(legacy.AuditDatabase)) sql.Execute("ATTACH DATABASE @path AS legacy_audit", ("@path", legacy.AuditDatabase));
    }

    public static void Detach(Sql sql, LegacyFiles legacy)
    {
        if (File.Exists(legacy.PolicyDatabase)) sql.Execute("DETACH DATABASE legacy_policy");
        if (File.Exists(legacy.AuditDatabase)) sql.Execute("DETACH DATABASE legacy_audit");
    }

    private static void MovePolicy(Sql sql, Dictionary<string, string> moved)
    {
        Copy(sql, moved, "policy_versions", "version, scope, document, effective_from, published_by", "legacy_policy");
        Copy(sql, moved, "policy_freezes", "scope, frozen_by, frozen_at, reason", "legacy_policy");
        Copy(sql, moved, "policy_approvers", "approver_id, algorithm, public_key, registered_by, registered_at, revoked_at", "legacy_policy");
        Copy(sql, moved, "policy_pending",
            "request_digest, request_id, principal, wallet, chain, payload_digest, intent, intent_digest, policy_version, received_at, parked_at, expires_at, required, state, rejected_by",
            "legacy_policy");
        Copy(sql, moved, "policy_approvals", "request_digest, approver_id, verdict, signature, recorded_at", "legacy_policy");

        // Held reservations keep counting as they did; released ones (nothing was signed) are gone.
        moved["reservations"] = sql.Execute(
            """
            INSERT INTO reservations (request_digest, wallet, chain, payload_digest, signer, intent, policy_version, reserved_at)
            SELECT request_digest, wallet, chain, payload_digest, NULL, intent, policy_version, reserved_at
            FROM legacy_policy.policy_reservations WHERE released_at IS NULL ORDER BY reserved_at
            """).ToString(System.Globalization.CultureInfo.InvariantCulture);
        sql.Execute(
            """
            INSERT INTO velocity (reservation_id, wallet, chain, asset, amount, at, counted)
            SELECT r.id, v.wallet, v.chain, v.asset, v.amount, v.at, v.counted
            FROM legacy_policy.policy_velocity v JOIN reservations r ON r.request_digest = v.request_digest
            """);
        // Conflict groups: reservations that share a replay key, transitively (the old rules let chains
        // of replacements form; each becomes one group, whose newest member the old ledger already counted).
        var keys = sql.Query(
            """
            SELECT k.wallet, k.chain, k.replay_key, r.id
            FROM legacy_policy.policy_replay_keys k JOIN reservations r ON r.request_digest = k.request_digest
            """,
            r => (Wallet: r.GetString(0), Chain: r.GetString(1), Key: r.GetString(2), Id: r.GetInt64(3)));
        var parent = new Dictionary<long, long>();
        long Find(long x)
        {
            while (parent.TryGetValue(x, out var p) && p != x) x = p;
            return x;
        }
        foreach (var sharing in keys.GroupBy(k => (k.Wallet, k.Chain, k.Key)))
        {
            var root = Find(sharing.First().Id);
            foreach (var k in sharing.Skip(1))
            {
                var other = Find(k.Id);
                if (other == root) continue;
                parent[Math.Max(root, other)] = Math.Min(root, other);
                root = Math.Min(root, other);
            }
        }
        foreach (var id in sql.Query("SELECT id FROM reservations", r => r.GetInt64(0)))
            sql.Execute("UPDATE reservations SET group_id = @group WHERE id = @id", ("@group", Find(id)), ("@id", id));
        foreach (var (wallet, chain, key, id) in keys)
            sql.Execute("INSERT INTO conflict_keys (wallet, chain, conflict_key, group_id) VALUES (@w, @c, @k, @g) ON CONFLICT DO NOTHING",
                ("@w", wallet), ("@c", chain), ("@k", key), ("@g", Find(id)));
    }

    private static void MoveAudit(Sql sql, Dictionary<string, string> moved)
    {
        Copy(sql, moved, "audit_records", "seq, time_us, principal, action, wallet_id, data, leaf_hash", "legacy_audit", "ORDER BY seq");
        Copy(sql, moved, "audit_checkpoints", "idx, tree_size, time_us, note", "legacy_audit", "ORDER BY idx");
        var tree = new MerkleTreeState();
        var last = 0L;
        foreach (var row in AuditTables.All(sql))
        {
            if (row.Seq != tree.Size || !MerkleHash.Leaf(row.Data).AsSpan().SequenceEqual(row.LeafHash))
                throw new AuditLogTamperedException(new AuditFailure(AuditFailureKind.AlteredRecord, row.Seq,
                    "the old audit.db does not match its leaf hashes or has a gap; it was not moved (run 'custody-admin audit verify' on it)"));
            tree.Append(row.LeafHash);
            last = Math.Max(last, row.TimeUs);
        }
        AuditTables.WriteHead(sql, tree, DateTimeOffset.UnixEpoch.AddTicks(last * TimeSpan.TicksPerMicrosecond));
    }

    private static void MoveReplies(Sql sql, bool hasAudit, Dictionary<string, string> moved)
    {
        // The oldest installations kept replies in custody.db, later ones in audit.db.
        foreach (var schema in new[] { "main", hasAudit ? "legacy_audit" : null })
        {
            if (schema is null || sql.Scalar<long>($"SELECT count(*) FROM {schema}.sqlite_master WHERE type = 'table' AND name = 'idempotency'") == 0) continue;
            var count = sql.Execute(
                $"""
                INSERT INTO replies (principal, request_id, fingerprint, reply, sequence, completed_at)
                SELECT principal, request_id, request_digest, reply, NULL, completed_at FROM {schema}.idempotency WHERE true
                ON CONFLICT (principal, request_id) DO NOTHING
                """);
            moved["replies"] = (int.Parse(moved.GetValueOrDefault("replies", "0"), System.Globalization.CultureInfo.InvariantCulture) + count)
                .ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (schema == "main") sql.Execute("DROP TABLE main.idempotency");
        }
    }

    private static void Copy(Sql sql, Dictionary<string, string> moved, string table, string columns, string schema, string order = "")
    {
        if (sql.Scalar<long>($"SELECT count(*) FROM {schema}.sqlite_master WHERE type = 'table' AND name = @t", ("@t", table)) == 0) return;
        var count = sql.Execute($"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM {schema}.{table} {order}");
        moved[table] = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
