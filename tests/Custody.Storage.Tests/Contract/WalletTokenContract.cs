using Custody.Core;
using Custody.Core.Audit;
using Custody.Core.Chains;
using Custody.Core.Ledger;
using static Custody.Storage.Tests.Contract.LedgerKit;

namespace Custody.Storage.Tests.Contract;

/// <summary>Wallets and API tokens: each change with its record.</summary>
public abstract class WalletTokenContract(Func<bool, LedgerStore> stores) : LedgerContract(stores)
{
    [Fact]
    public async Task Wallets_are_created_with_their_record_and_listed_in_pages_by_id()
    {
        var store = NewStore();
        await using var ledger = store.Open(Options());
        var wallets = Enumerable.Range(0, 7).Select(i => Hd($"w_{i:d2}", i)).Append(Native("w_native")).ToList();
        foreach (var wallet in wallets) await ledger.Wallets.CreateAsync(wallet, "admin", new Dictionary<string, string> { ["how"] = "test" }, default);

        var stored = (await ledger.Wallets.GetAsync("w_03", default))!;
        Assert.Equal((WalletKind.Hd, 3, (uint?)0xdeadbee3, "w_03 name"), (stored.Kind, stored.KekVersion, stored.MasterFingerprint, stored.Name));
        Assert.Equal(wallets[3].SealedSeed, stored.SealedSeed);
        var native = (await ledger.Wallets.GetAsync("w_native", default))!;
        Assert.Equal((KeyCurve.Ed25519, "key-1", WalletBackup.None), (native.Curve, native.HsmKeyId, native.Backup));
        Assert.Equal(WalletBackup.Ceremony, stored.Backup);
        Assert.Equal([new WalletCount(WalletKind.Hd, WalletBackup.Ceremony, 7), new WalletCount(WalletKind.HsmNative, WalletBackup.None, 1)],
            await ledger.Wallets.CountAsync(default));
        Assert.Null(await ledger.Wallets.GetAsync("w_none", default));

        var pages = new List<string>();
        for (string? after = null; ;)
        {
            var page = await ledger.Wallets.ListAsync(after, 3, default);
            pages.AddRange(page.Select(w => w.WalletId));
            if (page.Count < 3) break;
            after = page[^1].WalletId;
        }
        Assert.Equal(wallets.Select(w => w.WalletId).Order(StringComparer.Ordinal), pages);
        Assert.Equal(7, (await ledger.Wallets.HdWalletsAsync(default)).Count);
        var created = await ledger.Audit.QueryAsync(new AuditQuery { Action = AuditActions.WalletCreated }, default);
        Assert.Equal(8, created.Count);
        Assert.Equal(("test", "hd", "v3", "ceremony"), (created[3].Details["how"], created[3].Details["kind"], created[3].Details["kek"], created[3].Details["backup"]));
        // A second wallet under a taken id is refused, with nothing written.
        await Assert.ThrowsAnyAsync<Exception>(() => ledger.Wallets.CreateAsync(Hd("w_03", 9), "admin", new Dictionary<string, string>(), default));
        Assert.Equal(8, ledger.Audit.Size);
    }

    [Fact]
    public async Task The_first_account_xpub_wins_and_concurrent_next_unused_indexes_are_distinct()
    {
        var store = NewStore();
        await using var a = store.Open(Options());
        await using var b = store.Open(Options());
        await a.Wallets.CreateAsync(Hd("w1", 1), "admin", new Dictionary<string, string>(), default);
        await a.Wallets.SaveAccountXpubAsync("w1", "m/84'/0'/0'", "xpub-first", "admin", default);
        await b.Wallets.SaveAccountXpubAsync("w1", "m/84'/0'/0'", "xpub-second", "admin", default);
        Assert.Equal("xpub-first", await b.Wallets.GetAccountXpubAsync("w1", "m/84'/0'/0'", default));
        Assert.Single(await a.Audit.QueryAsync(new AuditQuery { Action = AuditActions.AccountXpubStored }, default));

        var indexes = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() =>
            (i % 2 == 0 ? a : b).Wallets.UseIndexAsync("w1", "btc", "m/84'/0'/0'/0", null, "svc", default))));
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (uint)i), indexes.Order());
        // A requested index is handed out as asked, and "next unused" moves past it.
        Assert.Equal(100u, await a.Wallets.UseIndexAsync("w1", "btc", "m/84'/0'/0'/0", 100, "svc", default));
        Assert.Equal(101u, await b.Wallets.UseIndexAsync("w1", "btc", "m/84'/0'/0'/0", null, "svc", default));
        Assert.Equal(5u, await b.Wallets.UseIndexAsync("w1", "btc", "m/84'/0'/0'/0", 5, "svc", default));
        Assert.Equal(102u, await a.Wallets.UseIndexAsync("w1", "btc", "m/84'/0'/0'/0", null, "svc", default));
        Assert.Equal(0u, await a.Wallets.UseIndexAsync("w1", "eth", "m/44'/60'/0'/0", null, "svc", default));
    }

    [Fact]
    public async Task Descriptor_accounts_are_stored_with_their_record_and_a_taken_name_is_refused_with_nothing_written()
    {
        var store = NewStore();
        await using var a = store.Open(Options());
        await using var b = store.Open(Options());
        await a.Wallets.CreateAsync(Hd("w1", 1), "admin", new Dictionary<string, string>(), default);
        await a.Wallets.CreateAsync(Hd("w2", 1), "admin", new Dictionary<string, string>(), default);
        var vault = new AccountRecord("w1", "vault", "btc", "wsh(sortedmulti(2,A,B))#abcdefgh", DateTimeOffset.FromUnixTimeMilliseconds(1234));
        Assert.True(await a.Wallets.CreateAccountAsync(vault, "admin", new Dictionary<string, string> { ["via"] = "descriptor" }, default));
        Assert.True(await a.Wallets.CreateAccountAsync(vault with { Name = "cold", Chain = "btc-testnet" }, "admin", new Dictionary<string, string>(), default));
        // The same name on another wallet is another account.
        Assert.True(await b.Wallets.CreateAccountAsync(vault with { WalletId = "w2" }, "admin", new Dictionary<string, string>(), default));
        Assert.False(await b.Wallets.CreateAccountAsync(vault with { Descriptor = "other" }, "admin", new Dictionary<string, string>(), default));

        Assert.Equal(vault, await b.Wallets.GetAccountAsync("w1", "vault", default));
        Assert.Null(await b.Wallets.GetAccountAsync("w1", "none", default));
        Assert.Equal(["cold", "vault"], (await b.Wallets.ListAccountsAsync("w1", default)).Select(x => x.Name));
        var records = await a.Audit.QueryAsync(new AuditQuery { Action = AuditActions.AccountCreated }, default);
        Assert.Equal(3, records.Count);
        Assert.Equal(("vault", "descriptor", vault.Descriptor, "btc"), (records[0].Details["account"], records[0].Details["via"], records[0].Details["descriptor"], records[0].Chain));
    }

    [Fact]
    public async Task Reseal_swaps_every_seed_or_none()
    {
        var store = NewStore();
        await using var ledger = store.Open(Options());
        var one = Hd("w1", 1);
        var two = Hd("w2", 1);
        foreach (var wallet in new[] { one, two }) await ledger.Wallets.CreateAsync(wallet, "admin", new Dictionary<string, string>(), default);

        // w2 was changed since it was read: nothing changes, w1 neither.
        var stale = new Reseal("w2", [9, 9, 9], 1, [2, 2]);
        Assert.False(await ledger.Wallets.ResealAsync([new Reseal("w1", one.SealedSeed!, 1, [1, 1]), stale], 2, "admin", default));
        Assert.Equal(one.SealedSeed, (await ledger.Wallets.GetAsync("w1", default))!.SealedSeed);
        Assert.Empty(await ledger.Audit.QueryAsync(new AuditQuery { Action = AuditActions.KekResealed }, default));

        Assert.True(await ledger.Wallets.ResealAsync([new Reseal("w1", one.SealedSeed!, 1, [1, 1]), new Reseal("w2", two.SealedSeed!, 1, [2, 2])], 2, "admin", default));
        var resealed = (await ledger.Wallets.GetAsync("w2", default))!;
        Assert.Equal(new byte[] { 2, 2 }, resealed.SealedSeed);
        Assert.Equal(2, resealed.KekVersion);
        var record = Assert.Single(await ledger.Audit.QueryAsync(new AuditQuery { Action = AuditActions.KekResealed }, default));
        Assert.Equal(("v2", "2"), (record.Details["version"], record.Details["seeds"]));
        // Read with the old blob again: refused.
        Assert.False(await ledger.Wallets.ResealAsync([new Reseal("w1", one.SealedSeed!, 1, [3])], 3, "admin", default));
    }

    [Fact]
    public async Task Tokens_are_found_by_the_hash_of_their_secret_listed_and_revoked_once()
    {
        var store = NewStore();
        await using var ledger = store.Open(Options());
        var (token, secret) = await ledger.Tokens.CreateAsync("svc", Roles.Signer | Roles.Auditor, WalletScope.Of(["w1", "w2"]), "admin", default);
        var (other, _) = await ledger.Tokens.CreateAsync("ops", Roles.Admin, WalletScope.All, "admin", default);
        var found = (await ledger.Tokens.FindByHashAsync(TokenSecret.TryHash(secret)!, default))!;
        Assert.Equal((token.TokenId, "svc", Roles.Signer | Roles.Auditor, "w1,w2"), (found.TokenId, found.Principal, found.Roles, found.Wallets.ToString()));
        Assert.Null(await ledger.Tokens.FindByHashAsync(TokenSecret.TryHash(TokenSecret.Generate())!, default));
        Assert.Equal(new[] { token.TokenId, other.TokenId }.Order(StringComparer.Ordinal), (await ledger.Tokens.ListAsync(default)).Select(t => t.TokenId).Order(StringComparer.Ordinal));
        Assert.True(await ledger.Tokens.RevokeAsync(token.TokenId, "admin", default));
        Assert.False(await ledger.Tokens.RevokeAsync(token.TokenId, "admin", default));
        Assert.False(await ledger.Tokens.RevokeAsync("tok_0000000000000000", "admin", default));
        Assert.True((await ledger.Tokens.FindByHashAsync(TokenSecret.TryHash(secret)!, default))!.IsRevoked);
        var records = await ledger.Audit.QueryAsync(new AuditQuery(), default);
        Assert.Equal([AuditActions.TokenCreated, AuditActions.TokenCreated, AuditActions.TokenRevoked], records.Select(r => r.Action));
        Assert.DoesNotContain(records, r => r.Details.Values.Any(v => v.Contains(secret[4..], StringComparison.Ordinal)));
        await Assert.ThrowsAsync<InvalidInputException>(() => ledger.Tokens.CreateAsync("bad name!", Roles.Signer, WalletScope.All, "admin", default));
    }

    private static WalletRecord Hd(string id, int kek) =>
        new(id, id + " name", WalletKind.Hd, null, [1, 2, 3, (byte)kek, .. System.Text.Encoding.UTF8.GetBytes(id)], kek, null, null, 0xdeadbee0 + (uint)kek, Start, WalletBackup.Ceremony);

    private static WalletRecord Native(string id) =>
        new(id, id + " name", WalletKind.HsmNative, KeyCurve.Ed25519, null, null, "key-1", new byte[32], null, Start, WalletBackup.None);
}
