using Custody.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Policy;

/// <summary>
/// The policy engine's access to the shared database file (<see cref="SqliteDatabase"/>: WAL,
/// synchronous FULL — a reservation acknowledged is kept across a power cut — and a busy
/// timeout, so writers queue on the database lock). Several processes may share the file:
/// the write lock, not process memory, makes the check-and-reserve atomic.
/// </summary>
public sealed class PolicyDatabase
{
    private readonly SqliteDatabase _database;

    public PolicyDatabase(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    // Opening a SQLite connection is synchronous work; the Task keeps callers free to move to a server database.
    public Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_database.Open());
    }

    /// <summary>Creates or migrates the policy tables. Idempotent; safe when several processes start at once.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = _database.Open();
        PolicySchema.Apply(connection);
        return Task.CompletedTask;
    }
}
