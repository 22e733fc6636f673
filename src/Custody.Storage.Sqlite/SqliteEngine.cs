using System.Data.Common;
using System.Globalization;
using System.Numerics;
using Custody.Core.Ledger;
using Custody.Storage.Data;
using Custody.Storage.Engine;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Sqlite;

/// <summary>
/// The embedded engine: one SQLite file. Every connection is set up the same way: write-ahead log
/// (readers never block the writer), synchronous=FULL (a commit is on disk before it returns, so an
/// acknowledged signature survives a power cut), a busy timeout instead of an immediate SQLITE_BUSY,
/// foreign keys enforced, and temporary data in memory (SQLite otherwise moves a large journal to a
/// new file in /var/tmp inside the writer's turn). A write transaction is BEGIN IMMEDIATE, which
/// excludes every other writer in every process: nothing else needs locking.
/// </summary>
public sealed class SqliteEngine : LedgerEngine
{
    private const int BusyTimeoutMs = 5000;

    // The writer checkpoints the WAL inside the commit that crosses this many pages (SQLite's default).
    private const int CheckpointPages = 1000;

    private readonly string _connectionString;
    private int _walEnabled;

    /// <param name="path">The ledger file (DataDirectory.Ledger).</param>
    /// <param name="legacy">An older installation's policy.db and audit.db to move in at the first migration; null for none.</param>
    /// <param name="readOnly">Only read (a verifier's view): nothing is created, migrated or written.</param>
    public SqliteEngine(string path, LegacyFiles? legacy = null, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        Legacy = legacy;
        ReadOnly = readOnly;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMs / 1000,
        }.ToString();
    }

    public string Path { get; }

    public bool ReadOnly { get; }

    internal LegacyFiles? Legacy { get; }

    public override string Name => "sqlite";

    public override string Location => Path;

    public override DbConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using (var pragmas = connection.CreateCommand())
            {
                pragmas.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMs}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; " +
                                      $"PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = {CheckpointPages};";
                pragmas.ExecuteNonQuery();
            }
            // The journal mode is stored in the file: switching once per process is enough.
            if (!ReadOnly && Volatile.Read(ref _walEnabled) == 0)
            {
                using var wal = connection.CreateCommand();
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                var mode = wal.ExecuteScalar() as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                    throw new InvalidOperationException($"{Path}: SQLite refused write-ahead logging (journal mode {mode})");
                Volatile.Write(ref _walEnabled, 1);
            }
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    public override DbTransaction BeginRead(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: true);

    // BEGIN IMMEDIATE already excludes every other writer.
    public override void Lock(Sql sql, LockSet locks)
    {
    }

    public override void LockAuditHead(Sql sql)
    {
    }

    public override object Amount(BigInteger amount) => amount.ToString(CultureInfo.InvariantCulture);

    public override BigInteger ReadAmount(DbDataReader reader, int ordinal) =>
        BigInteger.Parse(reader.GetString(ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    public override StoreError Classify(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: 5 or 6 } => StoreError.Retry, // BUSY, LOCKED: past the busy timeout
        SqliteException { SqliteErrorCode: 13 } => StoreError.Storage(LedgerFault.Full),
        SqliteException { SqliteErrorCode: 8 } => StoreError.Storage(LedgerFault.ReadOnly),
        SqliteException { SqliteErrorCode: 10 } => StoreError.Storage(WritableFiles() ? LedgerFault.Unavailable : LedgerFault.ReadOnly), // IOERR: a write refused?
        SqliteException { SqliteErrorCode: 14 or 11 or 26 } => StoreError.Storage(LedgerFault.Unavailable), // CANTOPEN, CORRUPT, NOTADB
        UnauthorizedAccessException => StoreError.Storage(LedgerFault.ReadOnly),
        IOException e when e.HResult == 28 || e.Message.Contains("No space", StringComparison.OrdinalIgnoreCase) => StoreError.Storage(LedgerFault.Full),
        IOException => StoreError.Storage(LedgerFault.Unavailable),
        _ => StoreError.Bug,
    };

    /// <summary>A volume with less room than this cannot take a batch's WAL frames and a checkpoint.</summary>
    private const long MinFreeBytes = 1 << 20;

    public override LedgerFault? Check()
    {
        if (ReadOnly) return null;
        if (new DriveInfo(System.IO.Path.GetDirectoryName(Path)!).AvailableFreeSpace < MinFreeBytes) return LedgerFault.Full;
        return WritableFiles() ? null : LedgerFault.ReadOnly;
    }

    /// <summary>
    /// Whether the ledger file and its WAL can still be opened for writing. SQLite reports a write the
    /// file system refused (an immutable or read-only file, a read-only mount) as an I/O error; this
    /// tells that apart from a failing disk, so the caller hears "read-only", not "unavailable".
    /// </summary>
    private bool WritableFiles()
    {
        foreach (var file in new[] { Path, Path + "-wal" })
        {
            if (!File.Exists(file)) continue;
            try
            {
                using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                return false;
            }
        }
        return true;
    }

    public override void Migrate()
    {
        using var connection = (SqliteConnection)Open();
        var sql = new Sql(new StatementCache(connection), null);
        if (ReadOnly)
        {
            var current = sql.Scalar<long>("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_versions'") == 0 ? 0 : Version(sql);
            if (current != SqliteSchema.Migrations.Count)
                throw new InvalidOperationException($"{Path} holds no ledger of this version (schema {current}, this build {SqliteSchema.Migrations.Count}); start the daemon once to migrate it");
            return;
        }
        sql.Execute("CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        var moveIn = Version(sql) == 0 && Legacy is { Present: true } ? Legacy : null;
        if (moveIn is not null) LegacyMigration.Attach(sql, moveIn); // SQLite refuses ATTACH inside a transaction
        try
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            sql = sql with { Transaction = transaction };
            var version = Version(sql); // again, under the write lock: another process may have migrated meanwhile
            var migrations = SqliteSchema.Migrations;
            if (version > migrations.Count)
                throw new InvalidOperationException($"{Path}: the ledger schema is at version {version}, newer than this build knows ({migrations.Count})");
            if (version < migrations.Count)
            {
                for (var v = (int)version; v < migrations.Count; v++) sql.Execute(migrations[v]);
                sql.Execute("INSERT INTO schema_versions (component, version) VALUES (@c, @v) ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                    ("@c", SqliteSchema.Component), ("@v", (long)migrations.Count));
                if (version == 0 && moveIn is not null) LegacyMigration.Run(sql, this, moveIn);
            }
            transaction.Commit();
        }
        finally
        {
            if (moveIn is not null) LegacyMigration.Detach(sql with { Transaction = null }, moveIn);
        }
        // Moved in and committed: set the old files aside (a crash before this renames them at the next start).
        if (Legacy is { Present: true } && Version(sql with { Transaction = null }) > 0) Legacy.SetAside();
        SqliteConnection.ClearPool(connection); // the attached files' handles go with the pooled connection
    }

    private static long Version(Sql sql) =>
        sql.Scalar<long?>("SELECT version FROM schema_versions WHERE component = @c", ("@c", SqliteSchema.Component)) ?? 0;

    // One process writes checkpoints at a time anyway: the writer's transaction refuses a duplicate or a step back.
    public override IDisposable? TryLeadCheckpoints() => new NoLease();

    /// <summary>Closes the pooled connections to this file (before copying or deleting it).</summary>
    public override void Dispose()
    {
        using (var connection = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(connection);
        base.Dispose();
    }

    private sealed class NoLease : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
