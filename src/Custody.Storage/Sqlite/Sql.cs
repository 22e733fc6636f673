using Microsoft.Data.Sqlite;

namespace Custody.Storage.Sqlite;

/// <summary>
/// The statements of one long-lived connection, each prepared on first use and kept. SQLite
/// then parses and plans a statement once instead of per call, which is most of what a short
/// indexed statement costs; hot paths (the policy admission) run a dozen of them per request.
/// Owned by one writer at a time, like the connection.
/// </summary>
public sealed class StatementCache(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection { get; } = connection;

    internal SqliteCommand Get(string sql)
    {
        if (_commands.TryGetValue(sql, out var command)) return command;
        command = Connection.CreateCommand();
        command.CommandText = sql;
        _commands.Add(sql, command);
        return command;
    }

    /// <summary>Disposes the statements and the connection.</summary>
    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
        _commands.Clear();
        Connection.Dispose();
    }
}

/// <summary>
/// One unit of work's way into the database: a connection, its transaction and, on a long-lived
/// connection, its <see cref="StatementCache"/>. The same table code then runs on a pooled
/// connection (statements prepared per call) and on a writer's own one (prepared once).
/// Parameters are (name, value) pairs; null is SQL NULL.
/// </summary>
public readonly record struct Sql(SqliteConnection Connection, SqliteTransaction? Transaction, StatementCache? Cache = null)
{
    public static Sql On(StatementCache cache, SqliteTransaction? transaction) => new(cache.Connection, transaction, cache);

    public int Execute(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var command = Command(sql, args);
        try
        {
            return command.ExecuteNonQuery();
        }
        finally
        {
            Done(command);
        }
    }

    /// <summary>The first column of the first row, or default when there is no row or it is NULL.</summary>
    public T? Scalar<T>(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var command = Command(sql, args);
        try
        {
            var value = command.ExecuteScalar();
            return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            Done(command);
        }
    }

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        ArgumentNullException.ThrowIfNull(read);
        var command = Command(sql, args);
        try
        {
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read()) rows.Add(read(reader));
            return rows;
        }
        finally
        {
            Done(command);
        }
    }

    /// <summary>The first row mapped, or default when there is none.</summary>
    public T? First<T>(string sql, Func<SqliteDataReader, T> read, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        ArgumentNullException.ThrowIfNull(read);
        var command = Command(sql, args);
        try
        {
            using var reader = command.ExecuteReader();
            return reader.Read() ? read(reader) : default;
        }
        finally
        {
            Done(command);
        }
    }

    /// <summary>A list parameter: SQL reads it as <c>IN (SELECT value FROM json_each(@name))</c>, so the statement text stays one.</summary>
    public static string JsonList(IEnumerable<string> values) => System.Text.Json.JsonSerializer.Serialize(values, SqlJson.Default.IEnumerableString);

    private SqliteCommand Command(string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        var command = Cache?.Get(sql) ?? Connection.CreateCommand();
        if (Cache is null) command.CommandText = sql;
        command.Transaction = Transaction;
        var parameters = command.Parameters;
        if (parameters.Count != args.Length) parameters.Clear();
        foreach (var (name, value) in args)
        {
            var v = value ?? DBNull.Value;
            var i = parameters.IndexOf(name);
            if (i >= 0) parameters[i].Value = v;
            else parameters.AddWithValue(name, v);
        }
        return command;
    }

    private void Done(SqliteCommand command)
    {
        if (Cache is null) command.Dispose();
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IEnumerable<string>))]
internal sealed partial class SqlJson : System.Text.Json.Serialization.JsonSerializerContext;
