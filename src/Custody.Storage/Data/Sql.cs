using System.Data.Common;
using System.Globalization;

namespace Custody.Storage.Data;

/// <summary>
/// The commands of one long-lived connection, each created on first use and kept: SQLite then
/// parses and plans a statement once instead of per call (most of what a short indexed statement
/// costs), and PostgreSQL prepares it once per connection. Owned by one user at a time, like the connection.
/// </summary>
public sealed class StatementCache(DbConnection connection) : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    public DbConnection Connection { get; } = connection;

    internal DbCommand Get(string sql)
    {
        if (_commands.TryGetValue(sql, out var command)) return command;
        command = Connection.CreateCommand();
        command.CommandText = sql;
        _commands.Add(sql, command);
        return command;
    }

    /// <summary>Disposes the commands and the connection.</summary>
    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
        _commands.Clear();
        Connection.Dispose();
    }
}

/// <summary>
/// One unit of work's way into the database: a connection's statement cache and its transaction.
/// Every statement of the ledger runs through here, on either engine. Parameters are (name, value)
/// pairs with @names; null is SQL NULL. Values are what the engine's provider takes natively
/// (string, long, byte[]); an amount goes through <see cref="Engine.LedgerEngine.Amount"/>.
/// </summary>
public readonly record struct Sql(StatementCache Cache, DbTransaction? Transaction)
{
    public DbConnection Connection => Cache.Connection;

    public int Execute(string sql, params ReadOnlySpan<(string Name, object? Value)> args) => Command(sql, args).ExecuteNonQuery();

    /// <summary>The first column of the first row, or default when there is no row or it is NULL.</summary>
    public T? Scalar<T>(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var value = Command(sql, args).ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    public List<T> Query<T>(string sql, Func<DbDataReader, T> read, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        ArgumentNullException.ThrowIfNull(read);
        using var reader = Command(sql, args).ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    /// <summary>The first row mapped, or default when there is none.</summary>
    public T? First<T>(string sql, Func<DbDataReader, T> read, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        ArgumentNullException.ThrowIfNull(read);
        using var reader = Command(sql, args).ExecuteReader();
        return reader.Read() ? read(reader) : default;
    }

    private DbCommand Command(string sql, ReadOnlySpan<(string Name, object? Value)> args)
    {
        var command = Cache.Get(sql);
        command.Transaction = Transaction;
        var parameters = command.Parameters;
        if (parameters.Count != args.Length) parameters.Clear();
        foreach (var (name, value) in args)
        {
            var v = value ?? DBNull.Value;
            var i = parameters.IndexOf(name);
            if (i >= 0)
            {
                parameters[i].Value = v;
            }
            else
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = v;
                parameters.Add(parameter);
            }
        }
        return command;
    }
}

/// <summary>Reading columns the same way on both engines.</summary>
public static class Rows
{
    public static string? NullableString(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static long? NullableInt64(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    public static byte[] Bytes(this DbDataReader r, int i) => (byte[])r.GetValue(i);

    public static byte[]? NullableBytes(this DbDataReader r, int i) => r.IsDBNull(i) ? null : (byte[])r.GetValue(i);

    public static DateTimeOffset Millis(this DbDataReader r, int i) => DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    public static long Millis(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
}
