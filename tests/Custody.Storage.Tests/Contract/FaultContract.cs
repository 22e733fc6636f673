using Custody.Core.Ledger;
using Custody.Core.Policy;
using static Custody.Storage.Tests.Contract.LedgerKit;

namespace Custody.Storage.Tests.Contract;

/// <summary>
/// Storage faults reach callers as <see cref="LedgerUnavailableException"/> naming the fault, with
/// nothing of the change written, and the ledger works again once the fault is gone. The faults are
/// real: a tmpfs of a few megabytes that a file fills to the last byte (under the SQLite file, or
/// under the PostgreSQL database's tablespace); an immutable ledger file (chattr +i: the tests run
/// as root, which ignores file modes, and a file open for writing keeps its mount from being
/// remounted read-only); a database turned read-only with its sessions cut, as a failover to a hot
/// standby looks.
/// </summary>
public abstract class FaultContract(Func<bool, LedgerStore> stores) : LedgerContract(stores)
{
    [Fact]
    public async Task A_full_disk_is_reported_as_full_with_nothing_written_and_writes_work_again_after()
    {
        var store = NewStore(smallDisk: true);
        await using var ledger = store.Open(Options());
        await ledger.Policy.PublishAsync(PolicyScope.Wallet("w1"), PolicyText(), "admin", null, default);
        await ledger.Audit.AppendAsync(Record());

        LedgerUnavailableException? fault = null;
        long committed;
        using (store.Full())
        {
            // Pages already allocated still take a few records; the first that needs a new page fails.
            var padding = new Dictionary<string, string> { ["padding"] = new string('x', 400) };
            for (var i = 0; i < 20_000 && fault is null; i++)
            {
                try
                {
                    await ledger.Audit.AppendAsync(Record(details: padding));
                }
                catch (LedgerUnavailableException e)
                {
                    fault = e;
                }
            }
            Assert.NotNull(fault);
            Assert.Equal(LedgerFault.Full, fault.Fault);
            committed = ledger.Audit.Size;
            Assert.Equal(committed, store.Scalar<long>("SELECT count(*) FROM audit_records"));
            // A signature meets the same fault, and leaves no reservation, reply or record.
            var request = Request(Eth(Evm(1), 5, 1), "during");
            for (var i = 0; i < 50; i++)
            {
                var signing = await Caught<LedgerUnavailableException>(() => ledger.Signing.CommitAsync(Signed(request with { RequestId = $"during-{i}" })));
                if (signing is null) continue; // fitted in a page that had room; try another
                Assert.Equal(LedgerFault.Full, signing.Fault);
                Assert.Null(await ledger.Signing.FindReplyAsync("svc", $"during-{i}", default));
                break;
            }
        }
        committed = ledger.Audit.Size;
        Assert.Equal(committed, store.Scalar<long>("SELECT count(*) FROM audit_records"));
        Assert.Equal(committed, (await ledger.Audit.AppendAsync(Record())).Sequence);
        Assert.Equal(SigningOutcomeKind.Signed, (await ledger.Signing.CommitAsync(Signed(Request(Eth(Evm(1), 5, 99), "after")))).Kind);
        await ledger.CheckAsync(default);
    }

    [Fact]
    public async Task A_read_only_store_is_reported_as_read_only_with_nothing_written_and_writes_work_again_after()
    {
        var store = NewStore();
        await using var ledger = store.Open(Options());
        await ledger.Audit.AppendAsync(Record());
        using (store.ReadOnly())
        {
            // A store that cut its sessions may first be reported as not answering; then it says read-only.
            var first = await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.Audit.AppendAsync(Record()));
            var second = await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.Audit.AppendAsync(Record()));
            Assert.Equal(LedgerFault.ReadOnly, second.Fault);
            Assert.Contains(first.Fault, new[] { LedgerFault.ReadOnly, LedgerFault.Unavailable });
            var check = await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.CheckAsync(default));
            Assert.Equal(LedgerFault.ReadOnly, check.Fault);
            Assert.Equal(1L, store.Scalar<long>("SELECT count(*) FROM audit_records"));
        }
        Assert.Equal(1L, store.Scalar<long>("SELECT count(*) FROM audit_records"));
        Assert.Equal(1, (await ledger.Audit.AppendAsync(Record())).Sequence);
        await ledger.CheckAsync(default);
    }

    private static async Task<T?> Caught<T>(Func<Task> action) where T : Exception
    {
        try
        {
            await action();
            return null;
        }
        catch (T e)
        {
            return e;
        }
    }
}
