using Custody.Core.Audit.Notes;
using Custody.Storage.Audit;

namespace Custody.Storage.Tests.Audit;

/// <summary>
/// Two appenders on one file, as the daemon and custody-admin are: each instance has its own
/// connection and in-memory tree, exactly like a second process.
/// </summary>
public sealed class AuditMultiProcessTests : IDisposable
{
    private readonly AuditTestLog _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task Two_appenders_on_one_file_keep_sequences_gap_free_and_the_log_verifies()
    {
        const int each = 150;
        var options = new AuditLogOptions { CheckpointEvery = 25, CheckpointInterval = TimeSpan.FromHours(1), MaxBatch = 16 };
        await using var first = _t.Open(options);
        await using var second = _t.Open(options);

        async Task<List<AuditReceipt>> Run(AuditLog log, int offset)
        {
            var receipts = new List<AuditReceipt>();
            // Small bursts, so batches of the two appenders interleave many times.
            for (var i = 0; i < each; i += 5)
                receipts.AddRange(await Task.WhenAll(Enumerable.Range(offset + i, 5).Select(n => log.AppendAsync(AuditTestLog.Event(n)))));
            return receipts;
        }

        var results = await Task.WhenAll(Task.Run(() => Run(first, 0)), Task.Run(() => Run(second, 1000)));
        var checkpoints = new[] { await first.CheckpointAsync(), await second.CheckpointAsync() };

        var sequences = results.SelectMany(r => r).Select(r => r.Sequence).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 2 * each).Select(i => (long)i), sequences);
        Assert.True(first.Commits > 1 && second.Commits > 1);

        var verdict = _t.Reader.Verify(_t.Key);
        Assert.True(verdict.IsIntact, verdict.Failure?.ToString());
        Assert.Equal(2 * each, verdict.RecordCount);

        // Both final checkpoints sign the whole file (the second one is the first one's,
        // not a duplicate) and each is the signed tree of the records on disk.
        foreach (var checkpoint in checkpoints)
        {
            Assert.NotNull(checkpoint);
            Assert.Equal(2 * each, checkpoint.Checkpoint.Size);
            Assert.Equal(2 * each, Checkpoint.Open(checkpoint.Note, _t.Key).Size);
            Assert.Equal(checkpoint.Note, _t.Reader.GetCheckpoint(checkpoint.Index).Note);
            var proof = _t.Reader.GetInclusionProof(0, checkpoint.Index);
            // Record 0 is whichever appender committed first.
            Assert.True(proof.Verify(results.SelectMany(r => r).Single(r => r.Sequence == 0).LeafHash.Span, checkpoint.Checkpoint.RootHash.Span));
        }
        Assert.Equal(checkpoints[0]!.Index, checkpoints[1]!.Index);
        var sizes = _t.Reader.Checkpoints().Select(c => c.Checkpoint.Size).ToList();
        Assert.Equal(sizes.Distinct().Count(), sizes.Count);
    }

    [Fact]
    public async Task An_appender_takes_in_what_another_wrote_since_and_reopening_verifies()
    {
        var options = new AuditLogOptions { CheckpointEvery = 1000, CheckpointInterval = TimeSpan.FromHours(1) };
        await using (var daemon = _t.Open(options))
        {
            Assert.Equal(0, (await daemon.AppendAsync(AuditTestLog.Event(0))).Sequence);
            await using (var admin = _t.Open(options))
            {
                Assert.Equal(1, (await admin.AppendAsync(AuditTestLog.Event(1))).Sequence);
                Assert.Equal(2, (await admin.AppendAsync(AuditTestLog.Event(2))).Sequence);
            }
            // The admin closed with a checkpoint of 3; the daemon's next record is 3, not 1.
            Assert.Equal(3, (await daemon.AppendAsync(AuditTestLog.Event(3))).Sequence);
            Assert.Equal(4, daemon.Size);
            var latest = await daemon.CheckpointAsync();
            Assert.Equal(4, latest!.Checkpoint.Size);
            Assert.Equal(1, latest.Index);
        }
        var verdict = _t.Reader.Verify(_t.Key);
        Assert.True(verdict.IsIntact, verdict.Failure?.ToString());
        Assert.Equal([3L, 4L], _t.Reader.Checkpoints().Select(c => c.Checkpoint.Size));
        await using var reopened = _t.Open(options);
        Assert.Equal(4, reopened.Size);
    }
}
