using Custody.Storage.Data;

namespace Custody.Storage.Tests.Contract;

/// <summary>
/// The one data-access helper every statement of the ledger runs through: commands kept per
/// connection and reused (parsed and planned once), parameters rebound on every call, NULL and
/// values in turn, on either engine.
/// </summary>
public abstract class SqlContract(Func<bool, LedgerStore> stores) : LedgerContract(stores)
{
    [Fact]
    public async Task A_kept_connection_reuses_its_commands_and_rebinds_their_parameters()
    {
        var store = NewStore();
        await store.Open().DisposeAsync(); // creates the schema
        using var engine = store.NewEngine();
        using var cache = new StatementCache(engine.Open());
        const string Insert = "INSERT INTO audit_texts (digest, text) VALUES (@digest, @text)";
        const string Select = "SELECT text FROM audit_texts WHERE digest = @digest";
        const string Upsert = "INSERT INTO api_tokens (token_id, token_hash, principal, roles, wallet_scope, created_at, revoked_at) " +
                              "VALUES (@id, @hash, 'p', 'signer', '*', 0, @revoked)";

        using (var transaction = engine.BeginWrite(cache.Connection))
        {
            var sql = new Sql(cache, transaction);
            for (var i = 0; i < 3; i++) Assert.Equal(1, sql.Execute(Insert, ("@digest", $"d{i}"), ("@text", $"text {i}")));
            // NULL, then a value, then NULL again through the same command.
            for (var i = 0; i < 3; i++)
                sql.Execute(Upsert, ("@id", $"tok_{i}"), ("@hash", new[] { (byte)i }), ("@revoked", i == 1 ? 42L : null));
            transaction.Commit();
        }
        var insert = cache.Get(Insert);
        var reader = new Sql(cache, null);
        Assert.Equal("text 2", reader.First(Select, r => r.GetString(0), ("@digest", "d2")));
        var select = cache.Get(Select);
        Assert.Null(reader.First(Select, r => r.GetString(0), ("@digest", "missing")));
        Assert.Equal("text 0", reader.Scalar<string>(Select, ("@digest", "d0")));
        Assert.Equal([null, 42L, null], reader.Query("SELECT revoked_at FROM api_tokens ORDER BY token_id", r => r.NullableInt64(0)));

        // One command per statement text, kept: the same object answers every call.
        Assert.Same(select, cache.Get(Select));
        Assert.Same(insert, cache.Get(Insert));
        Assert.NotSame(insert, select);

        // A failed statement leaves the command usable.
        using (var transaction = engine.BeginWrite(cache.Connection))
        {
            Assert.ThrowsAny<Exception>(() => new Sql(cache, transaction).Execute(Insert, ("@digest", "d0"), ("@text", "again")));
            transaction.Rollback();
        }
        Assert.Equal("text 1", new Sql(cache, null).Scalar<string>(Select, ("@digest", "d1")));
    }
}
