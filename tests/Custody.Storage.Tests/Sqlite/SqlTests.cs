using Custody.Storage.Sqlite;

namespace Custody.Storage.Tests.Sqlite;

/// <summary>
/// The statement helper the signing path runs on: the same code on a pooled connection and on a
/// kept one whose statements stay prepared, with parameters rebound on every call.
/// </summary>
public sealed class SqlTests
{
    private static void Exercise(Sql sql)
    {
        sql.Execute("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v INTEGER, b BLOB) STRICT");
        // One statement text, run again with other values, a NULL, then the values back.
        for (var i = 0; i < 3; i++)
            Assert.Equal(1, sql.Execute("INSERT INTO t (k, v, b) VALUES (@k, @v, @b)", ("@k", "k" + i), ("@v", i == 1 ? null : (object)(long)i), ("@b", new byte[] { (byte)i })));
        Assert.Equal(0L, sql.Scalar<long>("SELECT v FROM t WHERE k = @k", ("@k", "k0")));
        Assert.Null(sql.Scalar<long?>("SELECT v FROM t WHERE k = @k", ("@k", "k1")));
        Assert.Null(sql.Scalar<long?>("SELECT v FROM t WHERE k = @k", ("@k", "missing")));
        Assert.Equal(2L, sql.Scalar<long?>("SELECT v FROM t WHERE k = @k", ("@k", "k2")));
        Assert.Equal(["k0", "k2"], sql.Query("SELECT k FROM t WHERE k IN (SELECT value FROM json_each(@ks)) ORDER BY k", r => r.GetString(0), ("@ks", Sql.JsonList(["k2", "k0", "nope"]))));
        Assert.Equal([(byte)2], sql.First("SELECT b FROM t WHERE k = @k", r => (byte[])r.GetValue(0), ("@k", "k2"))!);
        Assert.Null(sql.First("SELECT b FROM t WHERE k = @k", r => (byte[])r.GetValue(0), ("@k", "missing")));
        Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => sql.Execute("INSERT INTO t (k, v, b) VALUES (@k, @v, @b)", ("@k", "k0"), ("@v", 9L), ("@b", null)));
        Assert.Equal(1, sql.Execute("INSERT INTO t (k, v, b) VALUES (@k, @v, @b)", ("@k", "k3"), ("@v", 3L), ("@b", null))); // still usable
    }

    [Fact]
    public void Pooled_connection_statements_prepared_per_call()
    {
        using var db = new TempDatabase();
        using var connection = db.Opener.Open();
        Exercise(new Sql(connection, null));
    }

    [Fact]
    public void Kept_connection_statements_prepared_once_and_rebound()
    {
        using var db = new TempDatabase();
        using var cache = new StatementCache(db.Opener.Open());
        using (var transaction = cache.Connection.BeginTransaction())
        {
            Exercise(Sql.On(cache, transaction));
            transaction.Commit();
        }
        // Next transaction, same prepared statements.
        using var next = cache.Connection.BeginTransaction();
        Assert.Equal(3L, Sql.On(cache, next).Scalar<long>("SELECT v FROM t WHERE k = @k", ("@k", "k3")));
    }
}
