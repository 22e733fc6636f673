using Microsoft.Data.Sqlite;

namespace Custody.Storage.Wallets;

/// <summary>
/// Opens the daemon's SQLite file: WAL so readers never wait for the writer, synchronous
/// FULL so a commit survives power loss, a busy timeout so writers queue instead of failing.
/// (Temporary: replaced by the shared Custody.Storage.Sqlite factory once it is on main.)
/// </summary>
public sealed class SqliteOpener
{
    private readonly string _connectionString;

    public SqliteOpener(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = databasePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The database file of a data directory (the embedded set-up keeps everything there).</summary>
    public const string FileName = "custody.db";

    public static string PathIn(string dataDirectory) => System.IO.Path.Combine(System.IO.Path.GetFullPath(dataDirectory), FileName);

    public string DatabasePath { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
