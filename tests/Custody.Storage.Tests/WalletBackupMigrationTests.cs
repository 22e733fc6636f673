using System.Reflection;
using Custody.Core.Audit;
using Custody.Core.Crypto;
using Custody.Core.Ledger;
using Custody.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Tests;

/// <summary>
/// Schema step 2 adds the wallets' backup state: a ledger written at step 1 opens migrated, its
/// wallets "unrecorded" (nothing tells an API wallet from a ceremony's there), new ones as created.
/// </summary>
public sealed class WalletBackupMigrationTests
{
    [Fact]
    public async Task A_ledger_from_before_backup_states_migrates_its_wallets_to_unrecorded()
    {
        var directory = Directory.CreateTempSubdirectory("custody-ledger-").FullName;
        var path = Path.Combine(directory, "custody.db");
        try
        {
            using (var old = new SqliteConnection($"Data Source={path}"))
            {
                old.Open();
                using var create = old.CreateCommand();
                create.CommandText = Step(0) + """
                    CREATE TABLE schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
                    INSERT INTO schema_versions (component, version) VALUES ('ledger', 1);
                    INSERT INTO wallets (wallet_id, name, kind, sealed_seed, kek_version, created_at) VALUES ('w_old', 'old', 'hd', x'00', 1, 0);
                    """;
                create.ExecuteNonQuery();
            }

            using var signer = new Ed25519CheckpointSigner("custody.test/audit", Hashes.Sha256("migration"u8));
            await using var ledger = Ledger.Open(new SqliteEngine(path), new LedgerOptions { CheckpointSigner = signer });
            Assert.Equal(WalletBackup.Unrecorded, (await ledger.Wallets.GetAsync("w_old", default))!.Backup);

            var created = new WalletRecord("w_new", "new", WalletKind.HsmNative, Core.Chains.KeyCurve.Ed25519, null, null, "key", new byte[32], null,
                DateTimeOffset.FromUnixTimeMilliseconds(1), WalletBackup.None);
            await ledger.Wallets.CreateAsync(created, "tests", new Dictionary<string, string> { ["via"] = "test" }, default);
            Assert.Equal(WalletBackup.None, (await ledger.Wallets.GetAsync("w_new", default))!.Backup);
            Assert.Equal(
                [new WalletCount(WalletKind.Hd, WalletBackup.Unrecorded, 1), new WalletCount(WalletKind.HsmNative, WalletBackup.None, 1)],
                await ledger.Wallets.CountAsync(default));
            var record = (await ledger.Audit.QueryAsync(new AuditQuery { Action = AuditActions.WalletCreated }, default)).Single();
            Assert.Equal("none", record.Details["backup"]);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The SQL of one schema step, as the engine runs it.</summary>
    private static string Step(int index) =>
        ((IReadOnlyList<string>)typeof(SqliteEngine).Assembly.GetType("Custody.Storage.Sqlite.SqliteSchema")!
            .GetProperty("Migrations", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)[index];
}
