using Custody.Core.Audit;
using Custody.Core.Crypto;
using Custody.Storage.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Custody.Storage.Tests;

/// <summary>
/// Issue 15 item 15: while records arrive a checkpoint is signed at least every second (by default),
/// so a crash leaves at most a second of records that no signed checkpoint covers; with nothing new,
/// no checkpoint is signed. Driven by a fake clock: no timing in the assertions.
/// </summary>
public sealed class CheckpointCadenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("custody-cadence-").FullName;
    private readonly Ed25519CheckpointSigner _signer = new("custody.test/audit", Hashes.Sha256("cadence"u8));

    public void Dispose()
    {
        _signer.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Records_are_covered_by_a_signed_checkpoint_one_interval_after_they_arrive()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new LedgerOptions { CheckpointSigner = _signer, Time = time };
        Assert.Equal(TimeSpan.FromSeconds(1), options.CheckpointInterval);
        await using var ledger = Ledger.Open(new SqliteEngine(Path.Combine(_directory, "custody.db")), options);

        for (var round = 1; round <= 3; round++)
        {
            await ledger.Audit.AppendAsync(new AuditRecord { Principal = "p", Action = "a" });
            Assert.Equal(round - 1, ledger.Audit.CheckpointedSize);
            time.Advance(options.CheckpointInterval);
            await UntilAsync(() => ledger.Audit.CheckpointedSize == round);
        }
        Assert.Equal(3, (await ledger.Audit.CheckpointsAsync(default)).Count);

        // Nothing new: the ticks sign nothing. The checkpointer handles ticks one at a time, so once a
        // fourth record is covered every earlier tick has been handled: a tick that signed with nothing
        // new would have left a second checkpoint of the same size.
        for (var tick = 0; tick < 3; tick++) time.Advance(options.CheckpointInterval);
        await ledger.Audit.AppendAsync(new AuditRecord { Principal = "p", Action = "a" });
        time.Advance(options.CheckpointInterval);
        await UntilAsync(() => ledger.Audit.CheckpointedSize == 4);
        Assert.Equal([1L, 2, 3, 4], (await ledger.Audit.CheckpointsAsync(default)).Select(c => c.Checkpoint.Size));
    }

    // The tick starts the signing on the thread pool; wait for it (bounded, not timed).
    private static Task UntilAsync(Func<bool> condition) =>
        Eventually.SucceedsAsync(() =>
        {
            Assert.True(condition(), "no checkpoint was signed after the interval");
            return Task.FromResult(true);
        }, TimeSpan.FromMinutes(1));
}
