using Custody.Core.Audit;
using Custody.Storage.Audit;
using Custody.Storage.Engine;
using static Custody.Storage.Tests.Contract.LedgerKit;

namespace Custody.Storage.Tests.Contract;

/// <summary>The group-commit writer: changes share transactions, and a change that fails fails alone, leaving nothing.</summary>
public abstract class WriterContract(Func<bool, LedgerStore> stores) : LedgerContract(stores)
{
    [Fact]
    public async Task Concurrent_changes_share_transactions()
    {
        var store = NewStore();
        await using var ledger = store.Open(Options());
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => ledger.Audit.AppendAsync(Record()))));
        Assert.Equal(200, ledger.Writer.Changes);
        Assert.True(ledger.Writer.Commits < ledger.Writer.Changes, $"{ledger.Writer.Commits} commits for {ledger.Writer.Changes} changes");
        Assert.Equal(200L, store.Scalar<long>("SELECT count(*) FROM audit_records"));
    }

    [Fact]
    public async Task A_change_that_throws_fails_alone_with_nothing_of_it_written()
    {
        var store = NewStore();
        await using var ledger = store.Open(Options());
        var gate = new TaskCompletionSource();
        // Hold the writer turn so that everything below queues up and is written as one batch.
        var holder = ledger.Writer.CommitAsync(LockSet.None, tx =>
        {
            gate.Task.Wait();
            return true;
        });
        var changes = Enumerable.Range(0, 20).Select(i => Task.Run(() => ledger.Writer.CommitAsync(LockSet.None, tx =>
        {
            AuditTables.PutText(tx.Sql, $"digest-{i}", $"text {i}");
            tx.Record(Record(details: new Dictionary<string, string> { ["i"] = $"{i}" }));
            if (i == 13) throw new InvalidOperationException("change 13 is broken");
            return i;
        }))).ToList();
        await Task.Delay(500); // let them all queue behind the holder
        gate.SetResult();
        await holder;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => changes[13]);
        Assert.Equal("change 13 is broken", failure.Message);
        foreach (var (change, i) in changes.Select((c, i) => (c, i)).Where(p => p.i != 13)) Assert.Equal(i, await change);
        Assert.Equal(19L, store.Scalar<long>("SELECT count(*) FROM audit_records"));
        Assert.Equal(19L, store.Scalar<long>("SELECT count(*) FROM audit_texts"));
        Assert.Equal(0L, store.Scalar<long>("SELECT count(*) FROM audit_texts WHERE digest = 'digest-13'"));
        Assert.Equal(19, ledger.Audit.Size);
        // The log stays gap-free around the failed change.
        var sequences = (await ledger.Audit.QueryAsync(new AuditQuery(), default)).Select(r => r.Sequence);
        Assert.Equal(Enumerable.Range(0, 19).Select(i => (long)i), sequences);
    }
}
