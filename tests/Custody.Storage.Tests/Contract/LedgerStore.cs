using System.Data.Common;
using Custody.Storage.Engine;
using Custody.Storage.Postgres;
using Custody.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Custody.Storage.Tests.Contract;

/// <summary>
/// A fresh, empty store for one test on one engine: a new SQLite file in a temporary directory, or a
/// new database in the run's throwaway PostgreSQL cluster. Each <see cref="NewEngine"/> is another
/// engine on the same store: another daemon process in miniature.
/// </summary>
public abstract class LedgerStore : IDisposable
{
    public abstract string Name { get; }

    public abstract LedgerEngine NewEngine();

    public Ledger Open(LedgerOptions? options = null) => Ledger.Open(NewEngine(), options);

    public Ledger OpenForVerification() => Ledger.OpenForVerification(NewEngine());

    /// <summary>Runs a statement as someone with write access to the store would, past the append-only triggers.</summary>
    public abstract int Tamper(string sql, params (string Name, object? Value)[] args);

    /// <summary>Reads one value straight from the store.</summary>
    public abstract T Scalar<T>(string sql, params (string Name, object? Value)[] args);

    /// <summary>Reads rows straight from the store.</summary>
    public List<T> Query<T>(string sql, Func<DbDataReader, T> read)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    protected abstract DbConnection Connect();

    /// <summary>
    /// Leaves the store as a build that knew only the first <paramref name="version"/> schema steps
    /// left it: those steps, as the engine runs them, and its version row. Nothing else is in it.
    /// </summary>
    public void CreateAt(int version)
    {
        using var engine = NewEngine();
        var steps = (IReadOnlyList<string>)engine.GetType().Assembly.GetTypes().Single(t => t.Name == SchemaType)
            .GetProperty("Migrations", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        using var connection = ConnectAsOwner();
        foreach (var step in steps.Take(version)) Run(connection, step, []);
        Run(connection, VersionsTable, []);
        Run(connection, "INSERT INTO schema_versions (component, version) VALUES ('ledger', @v)", [("@v", (long)version)]);
    }

    /// <summary>The engine's class holding its schema steps (Migrations).</summary>
    protected abstract string SchemaType { get; }

    /// <summary>The engine's schema_versions table, as its Migrate creates it.</summary>
    protected abstract string VersionsTable { get; }

    /// <summary>A connection as the daemons make it (the owner of what it creates).</summary>
    protected abstract DbConnection ConnectAsOwner();

    /// <summary>Makes the store's disk (or tablespace) full until the result is disposed.</summary>
    public abstract IDisposable Full();

    /// <summary>Makes the store read-only until the result is disposed.</summary>
    public abstract IDisposable ReadOnly();

    public abstract void Dispose();

    public override string ToString() => Name;

    protected static int Run(DbConnection connection, string sql, (string Name, object? Value)[] args)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        AddParameters(command, args);
        return command.ExecuteNonQuery();
    }

    protected static T Read<T>(DbConnection connection, string sql, (string Name, object? Value)[] args)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        AddParameters(command, args);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void AddParameters(DbCommand command, (string Name, object? Value)[] args)
    {
        foreach (var (name, value) in args)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
    }
}

/// <summary>A ledger file in a directory of its own; with <c>smallDisk</c>, that directory is a small tmpfs mount of its own.</summary>
public sealed class SqliteStore : LedgerStore
{
    private readonly SmallDisk? _disk;

    public SqliteStore(bool smallDisk = false)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("custody-ledger-").FullName;
        if (smallDisk) _disk = SmallDisk.Mount(Directory, megabytes: 8, owner: null);
    }

    public string Directory { get; }

    public string Path => System.IO.Path.Combine(Directory, "custody.db");

    public override string Name => "sqlite";

    public override LedgerEngine NewEngine() => new SqliteEngine(Path);

    public override int Tamper(string sql, params (string Name, object? Value)[] args)
    {
        using var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        foreach (var trigger in new[] { "audit_records_no_update", "audit_records_no_delete", "audit_checkpoints_no_update", "audit_checkpoints_no_delete", "audit_head_no_delete" })
            Run(connection, $"DROP TRIGGER IF EXISTS {trigger}", []);
        return Run(connection, sql, args);
    }

    public override T Scalar<T>(string sql, params (string Name, object? Value)[] args)
    {
        using var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        return Read<T>(connection, sql, args);
    }

    protected override DbConnection Connect()
    {
        var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        return connection;
    }

    protected override DbConnection ConnectAsOwner() => Connect();

    protected override string SchemaType => "SqliteSchema";

    protected override string VersionsTable => "CREATE TABLE schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)";

    public override IDisposable Full() => (_disk ?? throw new InvalidOperationException("create the store with smallDisk")).Fill();

    /// <summary>
    /// The ledger file and its log made immutable (chattr +i), which binds root too: a write through a
    /// handle that is open fails (EPERM), and a new connection can only open the file read-only.
    /// The shared-memory index stays writable: readers write their marks into its mapping.
    /// </summary>
    public override IDisposable ReadOnly()
    {
        string[] files = [Path, Path + "-wal"];
        SmallDisk.Run("chattr", ["+i", .. files]);
        return new SmallDisk.Undo(() => SmallDisk.Run("chattr", ["-i", .. files]));
    }

    public override void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _disk?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// A fresh database in the run's PostgreSQL cluster; with <c>smallDisk</c>, created in a tablespace on a
/// small tmpfs mount of its own, so that its disk can fill.
/// </summary>
public sealed class PostgresStore : LedgerStore
{
    private readonly SmallDisk? _disk;

    private readonly string? _location;

    public PostgresStore(bool smallDisk = false)
    {
        var cluster = PostgresCluster.Shared;
        if (smallDisk)
        {
            var location = _location = System.IO.Directory.CreateTempSubdirectory("custody-pg-space-").FullName;
            _disk = SmallDisk.Mount(location, megabytes: 24, owner: "postgres");
            Tablespace = "space_" + System.IO.Path.GetFileName(location).Replace('-', '_').ToLowerInvariant();
            cluster.Execute("postgres", $"CREATE TABLESPACE {Tablespace} OWNER custody LOCATION '{location}'");
        }
        ConnectionString = cluster.CreateDatabase();
        Database = PostgresCluster.DatabaseOf(ConnectionString);
        if (Tablespace is not null) cluster.Execute("postgres", $"ALTER DATABASE \"{Database}\" SET TABLESPACE {Tablespace}");
    }

    public string ConnectionString { get; }

    public string Database { get; }

    private string? Tablespace { get; }

    public override string Name => "postgres";

    public override LedgerEngine NewEngine() => new PostgresEngine(ConnectionString);

    public override int Tamper(string sql, params (string Name, object? Value)[] args)
    {
        using var connection = new NpgsqlConnection(PostgresCluster.Shared.Admin(Database));
        connection.Open();
        // What a superuser can do: triggers do not fire for a replica's session.
        Run(connection, "SET session_replication_role = replica", []);
        return Run(connection, sql, args);
    }

    public override T Scalar<T>(string sql, params (string Name, object? Value)[] args)
    {
        using var connection = new NpgsqlConnection(PostgresCluster.Shared.Admin(Database));
        connection.Open();
        return Read<T>(connection, sql, args);
    }

    protected override DbConnection Connect()
    {
        var connection = new NpgsqlConnection(PostgresCluster.Shared.Admin(Database));
        connection.Open();
        return connection;
    }

    protected override DbConnection ConnectAsOwner()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    protected override string SchemaType => "PostgresSchema";

    protected override string VersionsTable =>
        "CREATE TABLE schema_versions (component TEXT COLLATE \"C\" PRIMARY KEY, version BIGINT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())";

    public override IDisposable Full() => (_disk ?? throw new InvalidOperationException("create the store with smallDisk")).Fill();

    /// <summary>
    /// As a failover to a hot standby looks to the ledger: the database refuses writes (every new
    /// transaction is read-only) and the sessions it had are cut.
    /// </summary>
    public override IDisposable ReadOnly()
    {
        PostgresCluster.Shared.Execute("postgres", $"ALTER DATABASE \"{Database}\" SET default_transaction_read_only = on");
        PostgresCluster.Shared.Execute("postgres", $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Database}' AND pid <> pg_backend_pid()");
        // Back to read-write for the sessions that start from now on.
        return new SmallDisk.Undo(() => PostgresCluster.Shared.Execute("postgres", $"ALTER DATABASE \"{Database}\" SET default_transaction_read_only = off"));
    }

    public override void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            PostgresCluster.Shared.Execute("postgres", $"DROP DATABASE IF EXISTS \"{Database}\" WITH (FORCE)");
            if (Tablespace is not null) PostgresCluster.Shared.Execute("postgres", $"DROP TABLESPACE IF EXISTS {Tablespace}");
        }
        catch (PostgresException)
        {
            // The cluster goes at the end of the run anyway.
        }
        _disk?.Dispose();
        if (_location is not null) System.IO.Directory.Delete(_location, recursive: true);
    }
}
