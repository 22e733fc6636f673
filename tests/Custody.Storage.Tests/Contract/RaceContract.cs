using Custody.Core.Ledger;
using Custody.Core.Policy;
using static Custody.Storage.Tests.Contract.LedgerKit;

namespace Custody.Storage.Tests.Contract;

/// <summary>
/// The acceptance races at the ledger level: many commits at once, spread over two ledgers
/// on one store (two processes in miniature), each judged again under the lock it commits in.
/// </summary>
public abstract class RaceContract(Func<bool, LedgerStore> stores) : LedgerContract(stores)
{
    [Fact]
    public async Task Sixty_four_concurrent_commits_against_a_limit_that_fits_fourteen_admit_exactly_fourteen()
    {
        var (a, b) = await OpenTwoAsync(PolicyText("""{ "velocity": [ { "window": "1h", "maxAmount": "140" } ] }"""));
        await using var _a = a;
        await using var _b = b;
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            (i % 2 == 0 ? a : b).Signing.CommitAsync(Signed(Request(Eth(Evm((byte)(i + 1)), 10, nonce: i), $"r{i}"))))));
        Assert.Equal(14, outcomes.Count(o => o.Kind == SigningOutcomeKind.Signed));
        Assert.All(outcomes.Where(o => o.Kind != SigningOutcomeKind.Signed), o => Assert.Equal(PolicyRules.Velocity, o.Decision!.Rule));
    }

    [Fact]
    public async Task One_sender_and_nonce_committed_sixteen_times_with_different_payloads_signs_once()
    {
        var (a, b) = await OpenTwoAsync(PolicyText(allowReplacement: false));
        await using var _a = a;
        await using var _b = b;
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            (i % 2 == 0 ? a : b).Signing.CommitAsync(Signed(Request(Eth(Evm((byte)(i + 1)), 1, nonce: 3), $"r{i}"))))));
        Assert.Equal(1, outcomes.Count(o => o.Kind == SigningOutcomeKind.Signed));
        Assert.Equal(15, outcomes.Count(o => o.Decision?.Rule == PolicyRules.Conflict));
    }

    [Fact]
    public async Task One_request_id_raced_from_many_tasks_commits_once_and_the_others_replay_its_reply()
    {
        var (a, b) = await OpenTwoAsync(PolicyText());
        await using var _a = a;
        await using var _b = b;
        var request = Request(Eth(Evm(0x33), 5, nonce: 1), "same-id");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => (i % 2 == 0 ? a : b).Signing.CommitAsync(Signed(request)))));
        var signed = Assert.Single(outcomes, o => o.Kind == SigningOutcomeKind.Signed);
        Assert.All(outcomes.Where(o => o != signed), o =>
        {
            Assert.Equal(SigningOutcomeKind.Replayed, o.Kind);
            Assert.Equal(signed.Reply, o.Reply);
        });
    }

    private async Task<(Ledger A, Ledger B)> OpenTwoAsync(string policy)
    {
        var store = NewStore();
        var a = store.Open(Options());
        var b = store.Open(Options());
        await a.Policy.PublishAsync(PolicyScope.Wallet("w1"), policy, "admin", null, default);
        return (a, b);
    }
}
