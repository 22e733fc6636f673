using Custody.Storage.Idempotency;

namespace Custody.Storage.Tests.Idempotency;

public class IdempotencyStoreTests
{
    [Fact]
    public async Task A_saved_reply_survives_reopening_and_the_first_reply_wins()
    {
        using var db = new TempDatabase();
        var store = new IdempotencyStore(db.Opener);
        Assert.Null(await store.FindAsync("alice", "r1", default));
        Assert.True(await store.SaveAsync("alice", "r1", [1, 2], [9, 9, 9], default));
        Assert.False(await store.SaveAsync("alice", "r1", [3], [7], default));

        var reopened = new IdempotencyStore(db.Opener);
        var record = await reopened.FindAsync("alice", "r1", default);
        Assert.NotNull(record);
        Assert.Equal([1, 2], record.RequestDigest);
        Assert.Equal([9, 9, 9], record.Reply);
    }

    [Fact]
    public async Task Request_ids_are_per_principal()
    {
        using var db = new TempDatabase();
        var store = new IdempotencyStore(db.Opener);
        Assert.True(await store.SaveAsync("alice", "r1", [1], [1], default));
        Assert.True(await store.SaveAsync("bob", "r1", [2], [2], default));
        Assert.Equal([2], (await store.FindAsync("bob", "r1", default))!.Reply);
    }
}
