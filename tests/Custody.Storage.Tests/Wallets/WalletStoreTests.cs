using Custody.Core.Chains;
using Custody.Storage.Wallets;

namespace Custody.Storage.Tests.Wallets;

public class WalletStoreTests
{
    private static WalletRecord Hd(string id) =>
        new(id, "treasury", WalletKind.Hd, null, [1, 2, 3], 1, null, null, 0xdeadbeef, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    [Fact]
    public async Task Wallets_round_trip_and_list_in_pages()
    {
        using var db = new TempDatabase();
        var store = new WalletStore(db.Opener);
        await store.InsertAsync(Hd("w_b"), default);
        await store.InsertAsync(Hd("w_a"), default);
        var native = new WalletRecord("w_c", "hot", WalletKind.HsmNative, KeyCurve.Ed25519, null, null, "key-1", new byte[32], null, DateTimeOffset.UnixEpoch);
        await store.InsertAsync(native, default);

        var hd = await store.GetAsync("w_b", default);
        Assert.NotNull(hd);
        Assert.Equal(WalletKind.Hd, hd.Kind);
        Assert.Equal([1, 2, 3], hd.SealedSeed);
        Assert.Equal(0xdeadbeefu, hd.MasterFingerprint);
        Assert.Null(hd.Curve);
        var loaded = await store.GetAsync("w_c", default);
        Assert.Equal(KeyCurve.Ed25519, loaded!.Curve);
        Assert.Equal("key-1", loaded.HsmKeyId);
        Assert.Null(await store.GetAsync("w_x", default));

        var first = await store.ListAsync(null, 2, default);
        Assert.Equal(["w_a", "w_b"], first.Select(w => w.WalletId));
        var second = await store.ListAsync("w_b", 2, default);
        Assert.Equal(["w_c"], second.Select(w => w.WalletId));
    }

    [Fact]
    public async Task An_hd_wallet_without_a_sealed_seed_is_refused_by_the_schema()
    {
        using var db = new TempDatabase();
        var store = new WalletStore(db.Opener);
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
            store.InsertAsync(Hd("w_a") with { SealedSeed = null }, default));
    }

    [Fact]
    public async Task Next_unused_moves_past_every_index_handed_out()
    {
        using var db = new TempDatabase();
        var store = new WalletStore(db.Opener);
        await store.InsertAsync(Hd("w_a"), default);
        const string branch = "m/84'/0'/0'/0";
        Assert.Equal(0u, await store.UseIndexAsync("w_a", "btc", branch, null, default));
        Assert.Equal(1u, await store.UseIndexAsync("w_a", "btc", branch, null, default));
        Assert.Equal(7u, await store.UseIndexAsync("w_a", "btc", branch, 7, default));
        Assert.Equal(8u, await store.UseIndexAsync("w_a", "btc", branch, null, default));
        Assert.Equal(3u, await store.UseIndexAsync("w_a", "btc", branch, 3, default));
        Assert.Equal(9u, await store.UseIndexAsync("w_a", "btc", branch, null, default));
        Assert.Equal(0u, await store.UseIndexAsync("w_a", "btc-testnet", branch, null, default));
    }

    [Fact]
    public async Task Account_xpubs_are_kept_once()
    {
        using var db = new TempDatabase();
        var store = new WalletStore(db.Opener);
        await store.InsertAsync(Hd("w_a"), default);
        Assert.Null(await store.GetAccountXpubAsync("w_a", "m/84'/0'/0'", default));
        await store.SaveAccountXpubAsync("w_a", "m/84'/0'/0'", "xpub1", default);
        await store.SaveAccountXpubAsync("w_a", "m/84'/0'/0'", "xpub2", default);
        Assert.Equal("xpub1", await store.GetAccountXpubAsync("w_a", "m/84'/0'/0'", default));
    }
}
