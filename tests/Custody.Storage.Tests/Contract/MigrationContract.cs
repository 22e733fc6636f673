using Custody.Core.Audit;
using Custody.Core.Chains;
using Custody.Core.Ledger;
using static Custody.Storage.Tests.Contract.LedgerKit;

namespace Custody.Storage.Tests.Contract;

/// <summary>Each schema step takes a ledger an older build left to the current one, on every engine.</summary>
public abstract class MigrationContract(Func<bool, LedgerStore> stores) : LedgerContract(stores)
{
    /// <summary>
    /// Step 2 adds the wallets' backup state: a ledger written at step 1 opens migrated, its wallets
    /// "unrecorded" (nothing tells an API wallet from a ceremony's there), new ones as created.
    /// </summary>
    [Fact]
    public async Task A_ledger_from_before_backup_states_migrates_its_wallets_to_unrecorded()
    {
        var store = NewStore();
        store.CreateAt(1);
        store.Tamper("INSERT INTO wallets (wallet_id, name, kind, sealed_seed, kek_version, created_at) VALUES ('w_old', 'old', 'hd', @seed, 1, 0)",
            ("@seed", new byte[] { 0 }));

        await using var ledger = store.Open(Options(Signer()));
        Assert.Equal(WalletBackup.Unrecorded, (await ledger.Wallets.GetAsync("w_old", default))!.Backup);
        var created = new WalletRecord("w_new", "new", WalletKind.HsmNative, KeyCurve.Ed25519, null, null, "key", new byte[32], null,
            DateTimeOffset.FromUnixTimeMilliseconds(1), WalletBackup.None);
        await ledger.Wallets.CreateAsync(created, "tests", new Dictionary<string, string> { ["via"] = "test" }, default);
        Assert.Equal(WalletBackup.None, (await ledger.Wallets.GetAsync("w_new", default))!.Backup);
        Assert.Equal(
            [new WalletCount(WalletKind.Hd, WalletBackup.Unrecorded, 1), new WalletCount(WalletKind.HsmNative, WalletBackup.None, 1)],
            await ledger.Wallets.CountAsync(default));
        var record = (await ledger.Audit.QueryAsync(new AuditQuery { Action = AuditActions.WalletCreated }, default)).Single();
        Assert.Equal("none", record.Details["backup"]);
        Assert.Equal(4L, store.Scalar<long>("SELECT version FROM schema_versions WHERE component = 'ledger'"));
    }

    /// <summary>
    /// Step 3 adds passkey approvers: an approver registered at step 2 keeps its raw key, with no
    /// credential id and a signature counter of 0, and the approvals recorded then stay as they were.
    /// </summary>
    [Fact]
    public async Task A_ledger_from_before_passkeys_keeps_its_approvers_as_raw_keys()
    {
        var store = NewStore();
        store.CreateAt(2);
        store.Tamper("INSERT INTO policy_approvers (approver_id, algorithm, public_key, registered_by, registered_at) VALUES ('alice', 'ed25519', @key, 'admin', 0)",
            ("@key", new byte[32]));

        await using (var ledger = store.Open(Options(Signer()))) // opening migrates
            Assert.Equal(new PolicyCounts(0, 0, false), await ledger.Policy.CountAsync(default));
        Assert.Equal(4L, store.Scalar<long>("SELECT version FROM schema_versions WHERE component = 'ledger'"));
        Assert.Equal(0L, store.Scalar<long>("SELECT sign_count FROM policy_approvers WHERE approver_id = 'alice'"));
        Assert.Equal(1L, store.Scalar<long>("SELECT count(*) FROM policy_approvers WHERE approver_id = 'alice' AND credential_id IS NULL AND algorithm = 'ed25519'"));
    }

    /// <summary>
    /// Step 4 adds descriptor accounts: a ledger written at step 3 keeps its wallets, and its wallets
    /// can then hold accounts, each stored with its record.
    /// </summary>
    [Fact]
    public async Task A_ledger_from_before_descriptor_accounts_gains_them()
    {
        var store = NewStore();
        store.CreateAt(3);
        store.Tamper("INSERT INTO wallets (wallet_id, name, kind, sealed_seed, kek_version, created_at, backup) VALUES ('w_old', 'old', 'hd', @seed, 1, 0, 'none')",
            ("@seed", new byte[] { 0 }));

        await using var ledger = store.Open(Options(Signer()));
        Assert.Equal(4L, store.Scalar<long>("SELECT version FROM schema_versions WHERE component = 'ledger'"));
        Assert.Empty(await ledger.Wallets.ListAccountsAsync("w_old", default));
        Assert.True(await ledger.Wallets.CreateAccountAsync(
            new AccountRecord("w_old", "vault", "btc", "wsh(pk(02aa))#x", DateTimeOffset.FromUnixTimeMilliseconds(5)), "admin", new Dictionary<string, string>(), default));
        Assert.Equal("vault", (await ledger.Wallets.ListAccountsAsync("w_old", default)).Single().Name);
    }
}
