using Custody.Storage.Sqlite;

namespace Custody.Storage.Tests;

/// <summary>A SQLite file in its own temporary directory, deleted afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("custody-storage-").FullName;

    public TempDatabase() => Opener = new SqliteDatabase(Path.Combine(_dir, "custody.db"));

    public SqliteDatabase Opener { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
