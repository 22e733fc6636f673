using System.Numerics;
using Custody.Core.Policy;
using static Custody.Storage.Tests.Policy.PolicyStoreFixture;

namespace Custody.Storage.Tests.Policy;

/// <summary>
/// The running velocity totals against a brute-force model: random admissions, releases and
/// clock moves (forward by minutes to days, and backward), and after each step the velocity
/// slack found by dry runs — exactly the remaining amount is allowed, one unit more is refused
/// — must equal what the model computes from the held payments alone.
/// </summary>
public sealed class VelocityWindowTests
{
    private static readonly string Friend = Evm(7);
    private static readonly (TimeSpan Window, BigInteger Limit)[] Windows = [(TimeSpan.FromHours(1), 300), (TimeSpan.FromHours(24), 1_000)];

    private sealed record Payment(string RequestId, long Nonce, BigInteger Amount, DateTimeOffset At);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Running_totals_equal_a_recount_of_the_ledger_through_admissions_releases_and_clock_moves(int seed)
    {
        await using var fixture = await CreateAsync(PolicyText(
            """{ "velocity": [ { "window": "1h", "maxAmount": "300" }, { "window": "24h", "maxAmount": "1000" } ] }"""));
        var random = new Random(seed);
        var held = new List<Payment>();
        long nonce = 0;

        BigInteger Slack()
        {
            var now = fixture.Clock.GetUtcNow();
            return Windows.Min(w => w.Limit - held.Where(p => p.At > now - w.Window).Aggregate(BigInteger.Zero, (sum, p) => sum + p.Amount));
        }

        async Task<PolicyDecision> DryRun(BigInteger amount) =>
            await fixture.Gate.DryRunAsync(fixture.Request(Eth(Friend, amount, ++nonce), "probe-" + nonce), default);

        for (var step = 0; step < 120; step++)
        {
            switch (random.Next(10))
            {
                case < 5: // a payment: allowed exactly when the model says it fits
                {
                    var amount = new BigInteger(random.Next(1, 120));
                    var id = "pay-" + step;
                    var fits = amount <= Slack();
                    var decision = await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, amount, ++nonce), id), default);
                    Assert.True(fits == decision.IsAllowed, $"step {step}: {amount} against slack {Slack()}: {decision.Rule} {decision.Reason}");
                    if (fits) held.Add(new Payment(id, nonce, amount, fixture.Clock.GetUtcNow()));
                    break;
                }
                case < 7 when held.Count > 0: // nothing was signed: the reservation is given back
                {
                    var payment = held[random.Next(held.Count)];
                    await fixture.Gate.ReleaseAsync(fixture.Request(Eth(Friend, payment.Amount, payment.Nonce), payment.RequestId) with { ReceivedAt = payment.At }, default);
                    held.Remove(payment);
                    break;
                }
                case < 9:
                    fixture.Clock.Advance(TimeSpan.FromMinutes(random.Next(0, 3) == 0 ? random.Next(60, 1500) : random.Next(1, 40)));
                    break;
                default: // the clock steps back (NTP): payments ahead of it still count
                    var back = TimeSpan.FromMinutes(random.Next(1, 30));
                    if (fixture.Clock.GetUtcNow() - back > Start) fixture.Clock.Advance(-back); // not before the policy was published
                    break;
            }

            var slack = Slack();
            if (slack >= 1) Assert.True((await DryRun(slack)).IsAllowed, $"step {step}: the slack {slack} itself is allowed");
            // (after the clock stepped back the window can hold more than the limit: slack below 0)
            Assert.Equal(PolicyRules.Velocity, (await DryRun(BigInteger.Max(slack + 1, 1))).Rule);
        }
    }
}
