using Custody.Core.Policy;
using Custody.Storage.Policy;
using Microsoft.Data.Sqlite;
using static Custody.Storage.Tests.Policy.PolicyStoreFixture;

namespace Custody.Storage.Tests.Policy;

/// <summary>
/// Admissions are judged in batches (one transaction, a savepoint each): a request that fails
/// must fail alone, and the others of its batch must still see each other's reservations.
/// </summary>
public class GroupCommitTests
{
    private static readonly string Friend = Evm(0x11);

    [Fact]
    public async Task A_failing_request_fails_alone_and_its_batch_stays_exact()
    {
        await using var fixture = await CreateAsync(PolicyText());
        // A wallet whose stored policy is unreadable: its admissions fail closed, in whatever batch they land.
        using (var connection = new SqliteConnection($"Data Source={fixture.Path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO policy_versions (scope, document, effective_from, published_by) VALUES ($scope, '{ not json', 0, 'test')";
            command.Parameters.AddWithValue("$scope", PolicyScope.Wallet("broken").ToString());
            command.ExecuteNonQuery();
        }

        // 1000 per hour, 70 each: of the 48 healthy admissions exactly 14 fit; readmissions of
        // requests never parked and admissions on the broken wallet are mixed into the same batches.
        var decisions = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => (i % 4) switch
        {
            0 => fixture.Gate.ReadmitAsync(fixture.Request(Eth(Friend, 70, nonce: i), requestId: $"r{i}"), CancellationToken.None),
            1 => fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 70, nonce: i), requestId: $"r{i}", wallet: "broken"), CancellationToken.None),
            _ => fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 70, nonce: 1000 + i), requestId: $"r{i}"), CancellationToken.None),
        })));

        Assert.All(decisions.Where((_, i) => i % 4 == 0), d => Assert.Equal((PolicyOutcome.Failed, PolicyRules.Approvals), (d.Outcome, d.Rule)));
        Assert.All(decisions.Where((_, i) => i % 4 == 1), d => Assert.Equal((PolicyOutcome.Failed, PolicyRules.Store), (d.Outcome, d.Rule)));
        var healthy = decisions.Where((_, i) => i % 4 >= 2).ToArray();
        Assert.Equal(14, healthy.Count(d => d.IsAllowed));
        Assert.All(healthy.Where(d => !d.IsAllowed), d => Assert.Equal(PolicyRules.Velocity, d.Rule));

        // the ledger holds exactly 980: 20 more fit, 21 do not
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 20, 100), "fill"), default)).IsAllowed);
        Assert.Equal(PolicyRules.Velocity, (await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1, 101), "over"), default)).Rule);
    }

    [Fact]
    public async Task Releases_and_admissions_share_batches()
    {
        await using var fixture = await CreateAsync(PolicyText());
        var held = Enumerable.Range(0, 10).Select(i => fixture.Request(Eth(Friend, 100, nonce: i), $"held{i}")).ToArray();
        foreach (var request in held) Assert.True((await fixture.Gate.AdmitAsync(request, default)).IsAllowed);

        // all ten released while 100-unit admissions race them: at most ten fit, whatever the order
        var racing = Enumerable.Range(0, 30).Select(i => fixture.Request(Eth(Friend, 100, nonce: 100 + i), $"new{i}")).ToArray();
        var releases = held.Select(r => Task.Run(() => fixture.Gate.ReleaseAsync(r, CancellationToken.None)));
        var admissions = racing.Select(r => Task.Run(() => fixture.Gate.AdmitAsync(r, CancellationToken.None))).ToArray();
        await Task.WhenAll(releases);
        var admitted = (await Task.WhenAll(admissions)).Count(d => d.IsAllowed);
        Assert.InRange(admitted, 0, 10);

        // after every release is durable the budget left is exactly what the admitted ones did not take
        var left = 10 - admitted;
        for (var i = 0; i < left; i++)
            Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 100, nonce: 200 + i), $"fill{i}"), default)).IsAllowed);
        Assert.Equal(PolicyRules.Velocity, (await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1, 300), "over"), default)).Rule);
    }

    [Fact]
    public async Task The_writer_checkpoints_its_log_in_short_steps()
    {
        await using var fixture = await CreateAsync(PolicyText());
        // One admission per commit, each dirtying several pages: far past SQLite's default of 1,000
        // WAL pages, which the log would have reached (about 4 MiB) before its first checkpoint.
        for (var i = 0; i < 300; i++)
            Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1, nonce: i), $"r{i}"), default)).IsAllowed);

        // A checkpoint that backfills the whole log lets the next commit start it again from the top,
        // so the file never grows much past the checkpoint step (plus the commit that crossed it).
        var wal = new FileInfo(fixture.Path + "-wal").Length;
        Assert.InRange(wal, 1, (PolicySigningGate.CheckpointPages + 100) * (4096 + 24) + 32);
    }

    [Fact]
    public async Task A_cancelled_admission_writes_nothing()
    {
        await using var fixture = await CreateAsync(PolicyText());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1000, nonce: 1), "cancelled"), cancelled.Token));
        // the whole budget is still there
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1000, nonce: 2), "full"), default)).IsAllowed);
    }
}
