using Custody.Storage.Idempotency;

namespace Custody.Storage.Tests.Idempotency;

public class IdempotencyStoreTests
{
    [Fact]
    public async Task A_saved_reply_survives_reopening_and_the_first_reply_wins()
    {
        using var db = new TempDatabase();
        await using var store = new IdempotencyStore(db.Opener);
        Assert.Null(await store.FindAsync("alice", "r1", default));
        Assert.True(await store.SaveAsync("alice", "r1", [1, 2], [9, 9, 9]));
        Assert.False(await store.SaveAsync("alice", "r1", [3], [7]));

        await store.DisposeAsync();
        await using var reopened = new IdempotencyStore(db.Opener);
        var record = await reopened.FindAsync("alice", "r1", default);
        Assert.NotNull(record);
        Assert.Equal([1, 2], record.RequestDigest);
        Assert.Equal([9, 9, 9], record.Reply);
    }

    [Fact]
    public async Task Request_ids_are_per_principal()
    {
        using var db = new TempDatabase();
        await using var store = new IdempotencyStore(db.Opener);
        Assert.True(await store.SaveAsync("alice", "r1", [1], [1]));
        Assert.True(await store.SaveAsync("bob", "r1", [2], [2]));
        Assert.Equal([2], (await store.FindAsync("bob", "r1", default))!.Reply);
    }

    [Fact]
    public async Task Concurrent_saves_share_commits_and_each_caller_learns_whether_its_reply_was_kept()
    {
        using var db = new TempDatabase();
        await using var store = new IdempotencyStore(db.Opener);
        var saves = Enumerable.Range(0, 200).Select(i => store.SaveAsync("p", "r" + (i % 100), [(byte)i], [(byte)i])).ToArray();
        var kept = await Task.WhenAll(saves);
        Assert.Equal(100, kept.Count(k => k));
        for (var i = 0; i < 100; i++)
        {
            var record = await store.FindAsync("p", "r" + i, default);
            Assert.Equal(record!.Reply, record.RequestDigest);
        }
    }
}
