namespace Custody.Storage.Sqlite;

/// <summary>
/// The ledger's tables in one SQLite file. Times are Unix milliseconds (audit records: microseconds);
/// amounts are decimal text, summed exactly in C#. Tables that an older, three-file installation
/// already had in custody.db (wallets, xpubs, counters, tokens) keep their shape, so that file is
/// migrated in place (<see cref="LegacyMigration"/>).
/// </summary>
internal static class SqliteSchema
{
    public const string Component = "ledger";

    private const string V1 = """
        CREATE TABLE IF NOT EXISTS wallets (
            wallet_id           TEXT PRIMARY KEY,
            name                TEXT NOT NULL,
            kind                TEXT NOT NULL CHECK (kind IN ('hd', 'hsm-native')),
            curve               TEXT CHECK (curve IN ('secp256k1', 'ed25519')),
            sealed_seed         BLOB,
            kek_version         INTEGER,
            hsm_key_id          TEXT,
            public_key          BLOB,
            master_fingerprint  INTEGER,
            created_at          INTEGER NOT NULL,
            CHECK ((kind = 'hd' AND sealed_seed IS NOT NULL AND kek_version IS NOT NULL)
                OR (kind = 'hsm-native' AND hsm_key_id IS NOT NULL AND public_key IS NOT NULL AND curve IS NOT NULL)));
        CREATE TABLE IF NOT EXISTS account_xpubs (
            wallet_id     TEXT NOT NULL REFERENCES wallets (wallet_id),
            account_path  TEXT NOT NULL,
            xpub          TEXT NOT NULL,
            PRIMARY KEY (wallet_id, account_path)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS address_counters (
            wallet_id    TEXT NOT NULL REFERENCES wallets (wallet_id),
            chain        TEXT NOT NULL,
            branch_path  TEXT NOT NULL,
            next_index   INTEGER NOT NULL,
            PRIMARY KEY (wallet_id, chain, branch_path)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS api_tokens (
            token_id      TEXT PRIMARY KEY,
            token_hash    BLOB NOT NULL UNIQUE,
            principal     TEXT NOT NULL,
            roles         TEXT NOT NULL,
            wallet_scope  TEXT NOT NULL,
            created_at    INTEGER NOT NULL,
            revoked_at    INTEGER);

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
        CREATE INDEX IF NOT EXISTS policy_pending_waiting ON policy_pending (state, parked_at);
        CREATE TABLE IF NOT EXISTS policy_approvals (
            request_digest TEXT    NOT NULL REFERENCES policy_pending (request_digest),
            approver_id    TEXT    NOT NULL,
            verdict        TEXT    NOT NULL,
            signature      BLOB    NOT NULL,
            recorded_at    INTEGER NOT NULL,
            PRIMARY KEY (request_digest, approver_id)) STRICT;

        -- request_digest is not indexed: nothing looks a reservation up by it, and a request id
        -- commits once (the replies key), so it is unique already; an index on a random digest
        -- would cost every signature a page write.
        CREATE TABLE reservations (
            id             INTEGER PRIMARY KEY,
            request_digest TEXT    NOT NULL,
            wallet         TEXT    NOT NULL,
            chain          TEXT    NOT NULL,
            payload_digest TEXT    NOT NULL,
            signer         TEXT,
            intent         TEXT,
            policy_version INTEGER NOT NULL,
            reserved_at    INTEGER NOT NULL,
            group_id       INTEGER) STRICT;
        CREATE INDEX reservations_by_group ON reservations (group_id);
        CREATE TABLE conflict_keys (
            wallet       TEXT    NOT NULL,
            chain        TEXT    NOT NULL,
            conflict_key TEXT    NOT NULL,
            group_id     INTEGER NOT NULL,
            PRIMARY KEY (wallet, chain, conflict_key)) STRICT, WITHOUT ROWID;
        CREATE TABLE velocity (
            reservation_id INTEGER NOT NULL REFERENCES reservations (id),
            wallet         TEXT    NOT NULL,
            chain          TEXT    NOT NULL,
            asset          TEXT    NOT NULL,
            amount         TEXT    NOT NULL,
            at             INTEGER NOT NULL,
            counted        INTEGER NOT NULL,
            PRIMARY KEY (reservation_id, asset)) STRICT, WITHOUT ROWID;
        CREATE INDEX velocity_window ON velocity (wallet, chain, asset, at);
        CREATE TABLE velocity_windows (
            wallet    TEXT    NOT NULL,
            chain     TEXT    NOT NULL,
            asset     TEXT    NOT NULL,
            window_ms INTEGER NOT NULL,
            since_ms  INTEGER NOT NULL,
            count     INTEGER NOT NULL,
            total     TEXT    NOT NULL,
            PRIMARY KEY (wallet, chain, asset, window_ms)) STRICT, WITHOUT ROWID;

        CREATE TABLE replies (
            principal    TEXT    NOT NULL,
            request_id   TEXT    NOT NULL,
            fingerprint  BLOB    NOT NULL,
            reply        BLOB,
            sequence     INTEGER,
            completed_at INTEGER NOT NULL,
            PRIMARY KEY (principal, request_id)) STRICT, WITHOUT ROWID;

        CREATE TABLE audit_records (
            seq       INTEGER PRIMARY KEY,
            time_us   INTEGER NOT NULL,
            principal TEXT    NOT NULL,
            action    TEXT    NOT NULL,
            wallet_id TEXT,
            data      BLOB    NOT NULL,
            leaf_hash BLOB    NOT NULL) STRICT;
        CREATE INDEX audit_records_time ON audit_records (time_us);
        CREATE INDEX audit_records_principal ON audit_records (principal, time_us);
        CREATE INDEX audit_records_wallet ON audit_records (wallet_id, time_us);
        CREATE INDEX audit_records_action ON audit_records (action, time_us);
        CREATE TABLE audit_checkpoints (
            idx       INTEGER PRIMARY KEY,
            tree_size INTEGER NOT NULL,
            time_us   INTEGER NOT NULL,
            note      TEXT    NOT NULL) STRICT;
        CREATE TABLE audit_head (
            id           INTEGER PRIMARY KEY CHECK (id = 1),
            size         INTEGER NOT NULL,
            edge         BLOB    NOT NULL,
            last_time_us INTEGER NOT NULL) STRICT;
        INSERT INTO audit_head (id, size, edge, last_time_us) VALUES (1, 0, X'', 0);
        CREATE TABLE audit_texts (
            digest TEXT PRIMARY KEY,
            text   TEXT NOT NULL) STRICT, WITHOUT ROWID;
        CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
            BEGIN SELECT RAISE(ABORT, 'the audit head stays'); END;
        """;

    /// <summary>
    /// Whether a copy of the wallet's keys exists outside the installation (WalletBackup): "none" for
    /// wallets created through the API, "ceremony" for those a ceremony generated or restored.
    /// Wallets from before this column cannot be told apart: "unrecorded".
    /// </summary>
    private const string V2 = """
        ALTER TABLE wallets ADD COLUMN backup TEXT NOT NULL DEFAULT 'unrecorded'
            CHECK (backup IN ('none', 'ceremony', 'unrecorded'));
        """;

    /// <summary>
    /// Passkey approvers: an approver's WebAuthn credential id and the last signature counter its
    /// authenticator reported (compared and moved in the commit that records each assertion), and the
    /// assertion's authenticator data and client data beside each approval's signature, so the approval
    /// can be verified again when the request is signed. Raw keys leave these NULL / 0.
    /// </summary>
    private const string V3 = """
        ALTER TABLE policy_approvers ADD COLUMN credential_id BLOB;
        ALTER TABLE policy_approvers ADD COLUMN sign_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE policy_approvals ADD COLUMN authenticator_data BLOB;
        ALTER TABLE policy_approvals ADD COLUMN client_data_json BLOB;
        """;

    /// <summary>
    /// Descriptor accounts (multisig): a wallet's named Bitcoin-family accounts, each defined by its
    /// output descriptor (public keys only, with its checksum) on one chain. The name is unique per wallet.
    /// </summary>
    private const string V4 = """
        CREATE TABLE wallet_accounts (
            wallet_id   TEXT    NOT NULL REFERENCES wallets (wallet_id),
            name        TEXT    NOT NULL,
            chain       TEXT    NOT NULL,
            descriptor  TEXT    NOT NULL,
            created_at  INTEGER NOT NULL,
            PRIMARY KEY (wallet_id, name)) STRICT, WITHOUT ROWID;
        """;

    /// <summary>migrations[i] takes the ledger from version i to i + 1.</summary>
    public static IReadOnlyList<string> Migrations { get; } = [V1, V2, V3, V4];
}
