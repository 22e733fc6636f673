using Custody.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Policy;

/// <summary>
/// The policy engine's tables (prefix policy_), versioned as the "policy" component of the
/// shared database file. Times are Unix milliseconds; amounts are decimal text (they pass
/// 64 bits), plus 32-bit limbs where a window is summed.
/// </summary>
public static class PolicySchema
{
    public const string Component = "policy";

    private const string V1 = """
        CREATE TABLE IF NOT EXISTS policy_versions (
            version        INTEGER PRIMARY KEY AUTOINCREMENT,
            scope          TEXT    NOT NULL,
            document       TEXT    NOT NULL,
            effective_from INTEGER NOT NULL,
            published_by   TEXT    NOT NULL) STRICT;
        CREATE INDEX IF NOT EXISTS policy_versions_by_scope ON policy_versions (scope, effective_from);
        CREATE TRIGGER IF NOT EXISTS policy_versions_no_update BEFORE UPDATE ON policy_versions
            BEGIN SELECT RAISE(ABORT, 'policy versions are append-only'); END;
        CREATE TRIGGER IF NOT EXISTS policy_versions_no_delete BEFORE DELETE ON policy_versions
            BEGIN SELECT RAISE(ABORT, 'policy versions are append-only'); END;

        CREATE TABLE IF NOT EXISTS policy_freezes (
            scope     TEXT    PRIMARY KEY,
            frozen_by TEXT    NOT NULL,
            frozen_at INTEGER NOT NULL,
            reason    TEXT    NOT NULL) STRICT;

        CREATE TABLE IF NOT EXISTS policy_approvers (
            approver_id   TEXT    PRIMARY KEY,
            algorithm     TEXT    NOT NULL,
            public_key    BLOB    NOT NULL,
            registered_by TEXT    NOT NULL,
            registered_at INTEGER NOT NULL,
            revoked_at    INTEGER) STRICT;

        CREATE TABLE IF NOT EXISTS policy_pending (
            request_digest TEXT    PRIMARY KEY,
            request_id     TEXT    NOT NULL,
            principal      TEXT    NOT NULL,
            wallet         TEXT    NOT NULL,
            chain          TEXT    NOT NULL,
            payload_digest TEXT    NOT NULL,
            intent         TEXT,
            intent_digest  TEXT    NOT NULL,
            policy_version INTEGER NOT NULL,
            received_at    INTEGER NOT NULL,
            parked_at      INTEGER NOT NULL,
            expires_at     INTEGER NOT NULL,
            required       INTEGER NOT NULL,
            state          TEXT    NOT NULL,
            rejected_by    TEXT) STRICT;

        CREATE TABLE IF NOT EXISTS policy_approvals (
            request_digest TEXT    NOT NULL REFERENCES policy_pending (request_digest),
            approver_id    TEXT    NOT NULL,
            verdict        TEXT    NOT NULL,
            signature      BLOB    NOT NULL,
            recorded_at    INTEGER NOT NULL,
            PRIMARY KEY (request_digest, approver_id)) STRICT;

        CREATE TABLE IF NOT EXISTS policy_reservations (
            request_digest TEXT    PRIMARY KEY,
            wallet         TEXT    NOT NULL,
            chain          TEXT    NOT NULL,
            payload_digest TEXT    NOT NULL,
            intent         TEXT,
            policy_version INTEGER NOT NULL,
            reserved_at    INTEGER NOT NULL,
            released_at    INTEGER,
            superseded_by  TEXT) STRICT;

        -- amount also as eight 32-bit limbs (l0 least significant), so that SQLite sums a window
        -- exactly and natively; counted = 1 while the reservation is held and not superseded.
        CREATE TABLE IF NOT EXISTS policy_velocity (
            request_digest TEXT    NOT NULL REFERENCES policy_reservations (request_digest),
            wallet         TEXT    NOT NULL,
            chain          TEXT    NOT NULL,
            asset          TEXT    NOT NULL,
            amount         TEXT    NOT NULL,
            l0 INTEGER NOT NULL, l1 INTEGER NOT NULL, l2 INTEGER NOT NULL, l3 INTEGER NOT NULL,
            l4 INTEGER NOT NULL, l5 INTEGER NOT NULL, l6 INTEGER NOT NULL, l7 INTEGER NOT NULL,
            at             INTEGER NOT NULL,
            counted        INTEGER NOT NULL,
            PRIMARY KEY (request_digest, asset)) STRICT;
        -- covering: a window's count and sums are read from the index alone
        CREATE INDEX IF NOT EXISTS policy_velocity_window
            ON policy_velocity (wallet, chain, asset, counted, at, request_digest, l0, l1, l2, l3, l4, l5, l6, l7);

        CREATE TABLE IF NOT EXISTS policy_replay_keys (
            wallet         TEXT NOT NULL,
            chain          TEXT NOT NULL,
            replay_key     TEXT NOT NULL,
            request_digest TEXT NOT NULL REFERENCES policy_reservations (request_digest),
            payload_digest TEXT NOT NULL,
            PRIMARY KEY (wallet, chain, replay_key, request_digest)) STRICT;
        """;

    // Releasing or replacing a reservation deletes its replay keys by request, and SQLite's
    // foreign-key check on deleting a reservation looks them up the same way: without this index
    // both scan the whole table, and admissions slow down as the ledger grows.
    private const string V2 = """
        CREATE INDEX IF NOT EXISTS policy_replay_keys_by_request ON policy_replay_keys (request_digest);
        """;

    // Running velocity totals (VelocityWindows): an admission reads the ledger rows that entered
    // or left its window since the previous one, not the whole window. Filled on first use.
    private const string V3 = """
        CREATE TABLE IF NOT EXISTS policy_velocity_windows (
            wallet    TEXT    NOT NULL,
            chain     TEXT    NOT NULL,
            asset     TEXT    NOT NULL,
            window_ms INTEGER NOT NULL,
            since_ms  INTEGER NOT NULL,
            count     INTEGER NOT NULL,
            l0 INTEGER NOT NULL, l1 INTEGER NOT NULL, l2 INTEGER NOT NULL, l3 INTEGER NOT NULL,
            l4 INTEGER NOT NULL, l5 INTEGER NOT NULL, l6 INTEGER NOT NULL, l7 INTEGER NOT NULL,
            PRIMARY KEY (wallet, chain, asset, window_ms)) STRICT, WITHOUT ROWID;
        """;

    public static IReadOnlyList<string> Migrations { get; } = [V1, V2, V3];

    public static void Apply(SqliteConnection connection) => SqliteSchema.Apply(connection, Component, Migrations);
}
