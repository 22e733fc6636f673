using Custody.Core.Audit;
using Custody.Core.Crypto;
using Custody.Storage.Sqlite;

namespace Custody.Storage.Tests;

/// <summary>Placeholder while the contract suite is written: a ledger opens, appends and verifies.</summary>
public sealed class LedgerSmokeTests
{
    [Fact]
    public async Task A_fresh_ledger_appends_signs_and_verifies()
    {
        var directory = Directory.CreateTempSubdirectory("custody-ledger-").FullName;
        try
        {
            using var signer = new Ed25519CheckpointSigner("custody.test/audit", Hashes.Sha256("smoke"u8));
            await using (var ledger = Ledger.Open(new SqliteEngine(Path.Combine(directory, "custody.db")), new LedgerOptions { CheckpointSigner = signer }))
            {
                for (var i = 0; i < 10; i++) Assert.Equal(i, (await ledger.Audit.AppendAsync(new AuditRecord { Principal = "p", Action = "a" })).Sequence);
                await ledger.Audit.CheckpointAsync();
                var verdict = await ledger.Audit.VerifyAsync(Core.Audit.Notes.NoteVerifierKey.For(signer), null, default);
                Assert.True(verdict.IsVerified(), verdict.ToString());
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
