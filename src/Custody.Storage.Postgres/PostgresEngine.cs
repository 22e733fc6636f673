using System.Data;
using System.Data.Common;
using System.Numerics;
using Custody.Core.Ledger;
using Custody.Storage.Data;
using Custody.Storage.Engine;
using Npgsql;

namespace Custody.Storage.Postgres;

/// <summary>
/// The shared engine: one PostgreSQL database that several daemons write at once. Each connection
/// is set up the same way when it starts (session settings, so no batch pays a round trip for
/// them): READ COMMITTED, synchronous_commit on (a commit is on the server's disk, and on a
/// synchronous standby's when the server is so configured, before it returns), a lock_timeout
/// and a statement_timeout (a stuck peer turns into a storage fault, not a hung signer).
/// <para>
/// Writers serialise on what a batch depends on with transaction-scoped advisory locks: the global
/// lock (shared by anything a global freeze or policy governs, exclusive to change those), then
/// each wallet, in the one order LockSet gives; the audit head row last. Advisory locks need no row
/// (a wallet the ledger has not stored yet is locked the same way) and write nothing to the heap,
/// unlike SELECT … FOR UPDATE, which marks the tuple; they end with the transaction.
/// </para>
/// </summary>
public sealed class PostgresEngine : LedgerEngine
{
    // The first key of every advisory lock the ledger takes: its class. The second is the object.
    private const int GlobalClass = 0x43550001;
    private const int WalletClass = 0x43550002;
    private const int CheckpointClass = 0x43550003;
    private const int MigrationClass = 0x43550004;

    private readonly NpgsqlDataSource _dataSource;
    private NpgsqlConnection? _candidate;

    /// <param name="connectionString">An Npgsql connection string; its password is never logged or shown.</param>
    public PostgresEngine(string connectionString, PostgresTimeouts? timeouts = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        timeouts ??= new PostgresTimeouts();
        var session = $"-c default_transaction_isolation=read\\ committed -c synchronous_commit=on " +
                      $"-c lock_timeout={(long)timeouts.Lock.TotalMilliseconds} -c statement_timeout={(long)timeouts.Statement.TotalMilliseconds}";
        settings.Options = string.IsNullOrWhiteSpace(settings.Options) ? session : settings.Options + " " + session;
        // The signing path's statements run thousands of times on kept connections: prepare them on the server.
        if (settings.MaxAutoPrepare == 0) settings.MaxAutoPrepare = 256;
        settings.AutoPrepareMinUsages = 2;
        Location = $"{settings.Host}:{settings.Port}/{settings.Database}";
        _dataSource = NpgsqlDataSource.Create(settings);
    }

    public override string Name => "postgres";

    /// <summary>host:port/database (never the user's password).</summary>
    public override string Location { get; }

    public override DbConnection Open() => _dataSource.OpenConnection();

    // A session that met an error may be one a failover cut, or one that still carries the settings
    // it started with (a database turned read-only and back): the pool must not hand it out again.
    public override void Discard(DbConnection connection)
    {
        _dataSource.Clear();
        base.Discard(connection);
    }

    public override DbTransaction BeginWrite(DbConnection connection) => ((NpgsqlConnection)connection).BeginTransaction(IsolationLevel.ReadCommitted);

    // One snapshot for the whole read (a judgement reads several tables); read-only, so it never
    // fails to serialise and never waits for a writer.
    public override DbTransaction BeginRead(DbConnection connection)
    {
        var transaction = ((NpgsqlConnection)connection).BeginTransaction(IsolationLevel.RepeatableRead);
        using var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        readOnly.ExecuteNonQuery();
        return transaction;
    }

    public override void Lock(Sql sql, LockSet locks)
    {
        ArgumentNullException.ThrowIfNull(locks);
        switch (locks.Global)
        {
            case GlobalLock.Shared:
                sql.Execute("SELECT pg_advisory_xact_lock_shared(@class, 0)", ("@class", GlobalClass));
                break;
            case GlobalLock.Exclusive:
                sql.Execute("SELECT pg_advisory_xact_lock(@class, 0)", ("@class", GlobalClass));
                break;
        }
        // In the order given (LockSet.Union sorts by id). Two ids with the same hash share a lock:
        // they serialise a little more, never less.
        foreach (var wallet in locks.Wallets)
            sql.Execute("SELECT pg_advisory_xact_lock(@class, hashtext(@wallet))", ("@class", WalletClass), ("@wallet", wallet));
    }

    public override void LockAuditHead(Sql sql) => sql.Execute("SELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE");

    public override object Amount(BigInteger amount) => amount;

    public override BigInteger ReadAmount(DbDataReader reader, int ordinal) => reader.GetFieldValue<BigInteger>(ordinal);

    public override StoreError Classify(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected } => StoreError.Retry,
        PostgresException { SqlState: PostgresErrorCodes.DiskFull } => StoreError.Storage(LedgerFault.Full),
        PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction } => StoreError.Storage(LedgerFault.ReadOnly),
        // A lock or statement held past its timeout, an admin shutdown, too many connections, a server
        // starting or out of resources, an I/O error: the store does not answer now.
        PostgresException { SqlState: var state } when state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal)
            || state.StartsWith("57", StringComparison.Ordinal) || state.StartsWith("58", StringComparison.Ordinal)
            || state == PostgresErrorCodes.LockNotAvailable => StoreError.Storage(LedgerFault.Unavailable),
        PostgresException => StoreError.Bug,
        // Not the server's answer: the connection failed, timed out or was refused.
        NpgsqlException or TimeoutException or IOException or System.Net.Sockets.SocketException => StoreError.Storage(LedgerFault.Unavailable),
        InvalidOperationException { InnerException: NpgsqlException } => StoreError.Storage(LedgerFault.Unavailable),
        _ => StoreError.Bug,
    };

    public override void Migrate()
    {
        using var connection = (NpgsqlConnection)Open();
        using var transaction = connection.BeginTransaction();
        var sql = new Sql(new StatementCache(connection), transaction);
        // Two daemons starting at once: the second waits here, then finds the schema current.
        sql.Execute("SELECT pg_advisory_xact_lock(@class, 0)", ("@class", MigrationClass));
        sql.Execute("""
            CREATE TABLE IF NOT EXISTS schema_versions (
                component  TEXT COLLATE "C" PRIMARY KEY,
                version    BIGINT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """);
        var version = sql.Scalar<long?>("SELECT version FROM schema_versions WHERE component = @c", ("@c", PostgresSchema.Component)) ?? 0;
        var migrations = PostgresSchema.Migrations;
        if (version > migrations.Count)
            throw new InvalidOperationException($"{Location}: the ledger schema is at version {version}, newer than this build knows ({migrations.Count})");
        if (version == migrations.Count) return;
        for (var v = (int)version; v < migrations.Count; v++) sql.Execute(migrations[v]);
        sql.Execute(
            "INSERT INTO schema_versions (component, version) VALUES (@c, @v) ON CONFLICT (component) DO UPDATE SET version = excluded.version, applied_at = now()",
            ("@c", PostgresSchema.Component), ("@v", (long)migrations.Count));
        transaction.Commit();
    }

    /// <summary>
    /// A session-level advisory lock on a connection kept for the lease's life: when the daemon dies,
    /// its connection closes and another daemon takes the lease at its next tick.
    /// </summary>
    public override IDisposable? TryLeadCheckpoints()
    {
        // A daemon that does not lead asks again every interval, on the same connection.
        var connection = Interlocked.Exchange(ref _candidate, null) ?? (NpgsqlConnection)Open();
        try
        {
            using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@class, 0)", connection);
            command.Parameters.AddWithValue("class", CheckpointClass);
            if (command.ExecuteScalar() is true) return new Lease(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        if (Interlocked.CompareExchange(ref _candidate, connection, null) is not null) connection.Dispose();
        return null;
    }

    public override void Dispose()
    {
        Interlocked.Exchange(ref _candidate, null)?.Dispose();
        _dataSource.Dispose();
        base.Dispose();
    }

    private sealed class Lease(NpgsqlConnection connection) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@class, 0)", connection);
                command.Parameters.AddWithValue("class", CheckpointClass);
                command.ExecuteNonQuery();
            }
            catch (NpgsqlException)
            {
                // The connection is gone, and the lock with it.
            }
            connection.Dispose();
        }
    }
}

/// <summary>How long a statement may wait for a lock, and run, before the store counts as not answering.</summary>
public sealed record PostgresTimeouts
{
    public TimeSpan Lock { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Statement { get; init; } = TimeSpan.FromSeconds(30);
}
