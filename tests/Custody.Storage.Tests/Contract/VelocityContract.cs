using Xunit.Abstractions;
using System.Globalization;
using System.Numerics;
using Custody.Core.Ledger;
using Custody.Core.Policy;
using static Custody.Storage.Tests.Contract.LedgerKit;

namespace Custody.Storage.Tests.Contract;

/// <summary>Velocity's running totals against a recount of the rows they stand for.</summary>
public abstract class VelocityContract(Func<bool, LedgerStore> stores, ITestOutputHelper output) : LedgerContract(stores)
{
    private static readonly (string Text, TimeSpan Window, BigInteger Max)[] Limits =
        [("10m", TimeSpan.FromMinutes(10), 600), ("1h", TimeSpan.FromHours(1), 1000)];

    [Theory]
    [InlineData(20260601)]
    [InlineData(17)]
    public async Task Running_totals_equal_a_recount_through_random_commits_supersessions_and_clock_moves(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var store = NewStore();
        var clock = new ManualClock(Start);
        await using var ledger = store.Open(Options(time: clock));
        var velocity = string.Join(", ", Limits.Select(l => $$"""{ "window": "{{l.Text}}", "maxAmount": "{{l.Max}}" }"""));
        await ledger.Policy.PublishAsync(PolicyScope.Wallet("w1"), PolicyText($$"""{ "velocity": [ {{velocity}} ] }"""), "admin", null, default);

        var signed = new List<(long Nonce, BigInteger Amount, BigInteger Fee)>();
        var nonce = 0L;
        for (var step = 0; step < 150; step++)
        {
            var dice = random.Next(100);
            var context = $"seed {seed}, step {step}";
            if (dice < 20)
            {
                // The clock moves, mostly forward, sometimes back.
                clock.Advance(TimeSpan.FromSeconds(dice < 4 ? -random.Next(1, 300) : random.Next(1, 1200)));
                continue;
            }
            if (dice < 40 && signed.Count > 0)
            {
                // A fee bump of something signed: it supersedes it in the sums.
                var (bumped, amount, fee) = signed[random.Next(signed.Count)];
                var bump = await ledger.Signing.CommitAsync(Signed(Request(Eth(Evm(1), amount, bumped, fee + 1_000), $"s{step}", at: clock.GetUtcNow())));
                if (bump.Kind == SigningOutcomeKind.Signed) signed.Add((bumped, amount, fee + 1_000));
            }
            else
            {
                var amount = new BigInteger(random.Next(1, 300));
                var expected = Limits.All(l => Recount(store, clock.GetUtcNow() - l.Window).Sum + amount <= l.Max);
                var outcome = await ledger.Signing.CommitAsync(Signed(Request(Eth(Evm(1), amount, ++nonce), $"s{step}", at: clock.GetUtcNow())));
                Assert.True(expected == (outcome.Kind == SigningOutcomeKind.Signed), $"{context}: expected {(expected ? "allowed" : "refused")}, got {outcome.Kind} {outcome.Decision?.Reason}");
                if (outcome.Kind == SigningOutcomeKind.Signed) signed.Add((nonce, amount, 21_000));
            }
            foreach (var (since, count, total) in store.Query("SELECT since_ms, count, CAST(total AS TEXT) FROM velocity_windows WHERE wallet = 'w1'",
                         r => (r.GetInt64(0), r.GetInt64(1), BigInteger.Parse(r.GetString(2), CultureInfo.InvariantCulture))))
            {
                var recount = Recount(store, DateTimeOffset.FromUnixTimeMilliseconds(since));
                Assert.True(recount == (total, count), $"{context}: running total since {since} is {total} in {count}, a recount says {recount.Sum} in {recount.Count}");
            }
        }
        Assert.True(signed.Count > 20, $"only {signed.Count} signed: the walk did not exercise the limits");
    }

    /// <summary>What counts after <paramref name="since"/>: the rows still counted (not superseded), summed here.</summary>
    private static (BigInteger Sum, long Count) Recount(LedgerStore store, DateTimeOffset since)
    {
        var after = since.ToUnixTimeMilliseconds();
        var amounts = store.Query("SELECT CAST(amount AS TEXT), at, counted FROM velocity WHERE wallet = 'w1'",
                r => (Amount: BigInteger.Parse(r.GetString(0), CultureInfo.InvariantCulture), At: r.GetInt64(1), Counted: r.GetInt64(2) == 1))
            .Where(r => r.Counted && r.At > after).ToList();
        return (amounts.Aggregate(BigInteger.Zero, (sum, r) => sum + r.Amount), amounts.Count);
    }
}
