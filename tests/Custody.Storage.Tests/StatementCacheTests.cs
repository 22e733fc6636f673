using Custody.Storage.Data;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Tests;

/// <summary>
/// The statement cache keeps one command per SQL text on its connection, so the engine parses and
/// plans it once: a second use must be the same command, re-bound with the new arguments. A cache
/// that never reuses (a new command per call) fails the first test.
/// </summary>
public sealed class StatementCacheTests
{
    [Fact]
    public void The_same_sql_is_the_same_command_rebound_with_new_arguments()
    {
        using var cache = Open();
        var sql = new Sql(cache, null);
        Assert.Equal(1L, sql.Scalar<long>("SELECT @x + 0", ("@x", 1L)));
        var command = cache.Get("SELECT @x + 0");

        Assert.Equal(2L, sql.Scalar<long>("SELECT @x + 0", ("@x", 2L)));
        Assert.Same(command, cache.Get("SELECT @x + 0"));
        Assert.Equal(3L, new Sql(cache, null).Scalar<long>("SELECT @x + 0", ("@x", 3L)));
        Assert.Same(command, cache.Get("SELECT @x + 0"));
    }

    [Fact]
    public void Different_sql_is_a_different_command_and_a_changed_parameter_list_is_rebuilt()
    {
        using var cache = Open();
        var sql = new Sql(cache, null);
        Assert.NotSame(cache.Get("SELECT 1"), cache.Get("SELECT 2"));
        Assert.Equal(5L, sql.Scalar<long>("SELECT coalesce(@a, 0) + coalesce(@b, 0)", ("@a", 2L), ("@b", 3L)));
        Assert.Equal(4L, sql.Scalar<long>("SELECT coalesce(@a, 0) + coalesce(@b, 0)", ("@a", 4L), ("@b", null)));
    }

    private static StatementCache Open()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        return new StatementCache(connection);
    }
}
