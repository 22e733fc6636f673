using Custody.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Audit;

/// <summary>
/// The audit tables. <c>data</c> is the canonical record (the Merkle leaf data) and the
/// only source of truth; <c>leaf_hash</c> is kept for proofs and to name an edited row;
/// the other columns index it for queries and are checked against it by the verifier.
/// Triggers refuse UPDATE and DELETE. They stop mistakes and SQL injection, not someone
/// with the file: that is what the signed checkpoints are for.
/// </summary>
public static class AuditSchema
{
    public const string Component = "audit";

    private const string V1 = """
        CREATE TABLE IF NOT EXISTS audit_records (
            seq       INTEGER PRIMARY KEY,
            time_us   INTEGER NOT NULL,
            principal TEXT    NOT NULL,
            action    TEXT    NOT NULL,
            wallet_id TEXT,
            data      BLOB    NOT NULL,
            leaf_hash BLOB    NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (time_us);
        CREATE INDEX IF NOT EXISTS audit_records_principal ON audit_records (principal, time_us);
        CREATE INDEX IF NOT EXISTS audit_records_wallet ON audit_records (wallet_id, time_us);
        CREATE INDEX IF NOT EXISTS audit_records_action ON audit_records (action, time_us);
        CREATE TABLE IF NOT EXISTS audit_checkpoints (
            idx       INTEGER PRIMARY KEY,
            tree_size INTEGER NOT NULL,
            time_us   INTEGER NOT NULL,
            note      TEXT    NOT NULL
        ) STRICT;
        CREATE TRIGGER IF NOT EXISTS audit_records_no_update BEFORE UPDATE ON audit_records
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_records_no_delete BEFORE DELETE ON audit_records
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        """;

    public static IReadOnlyList<string> Migrations { get; } = [V1];

    public static void Apply(SqliteConnection connection) => SqliteSchema.Apply(connection, Component, Migrations);
}
