using Custody.Storage.Audit;
using Custody.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Custody.Cli.Audit;

/// <summary>Opens an existing audit database read-only for the audit verbs; SQLite errors become one line.</summary>
internal static class AuditFile
{
    public static int Read(string path, Func<AuditLogReader, int> action)
    {
        if (!File.Exists(path)) throw new CliException($"no database file at {path}");
        var database = new SqliteDatabase(path, readOnly: true);
        try
        {
            var reader = new AuditLogReader(database);
            if (!reader.HasLog()) throw new CliException($"{path} holds no audit log");
            return action(reader);
        }
        catch (SqliteException e)
        {
            throw new CliException($"{path}: {e.Message}");
        }
        finally
        {
            database.ReleasePooledConnections();
        }
    }
}
