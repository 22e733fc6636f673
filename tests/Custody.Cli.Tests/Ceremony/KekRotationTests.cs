using Custody.Cli.Kek;
using Custody.Core.Ceremony;
using Custody.Core.Ledger;

namespace Custody.Cli.Tests.Ceremony;

/// <summary>
/// KEK rotation on a real installation: the CLI verb end to end, and — in process, to stop
/// a rotation exactly where a crash could — every intermediate state resumed. Only this
/// class loads SoftHSM into the test process (one configuration per process).
/// </summary>
public class KekRotationTests
{
    [Fact]
    public void Rotate_reseals_every_seed_and_the_wallets_still_derive_and_sign()
    {
        using var temp = new TempDirectory();
        var data = TestInstallation.Init(temp, "data");
        var generated = TestInstallation.Record(TestInstallation.Admin("ceremony", "generate", "--data-dir", data, "--name", "w",
            "--slip39", "2-of-3", "--non-interactive", "--out-dir", Path.Combine(temp.Path, "shares")));

        var first = TestInstallation.Admin("kek", "rotate", "--data-dir", data);
        Assert.Equal(["kek: v2; 1 seeds resealed; destroyed v1"], first.Lines);
        var record = TestInstallation.Admin("ceremony", "record", "--data-dir", data, "--name", "w");
        Assert.Equal(generated, TestInstallation.Record(record));
        Assert.Contains("kek: v2", record.Lines);
        Assert.Contains("signed and verified with btc m/84'/0'/0'/0/0", record.Stderr, StringComparison.Ordinal);
        Assert.Contains("signed and verified with sol m/44'/501'/0'/0'", record.Stderr, StringComparison.Ordinal);

        Assert.Equal(["kek: v3; 1 seeds resealed; destroyed v2"], TestInstallation.Admin("kek", "rotate", "--data-dir", data).Lines);
        // A wallet made after rotations is sealed under the newest KEK.
        var later = TestInstallation.Admin("ceremony", "generate", "--data-dir", data, "--name", "later", "--bip39", "--non-interactive", "--out-dir", Path.Combine(temp.Path, "m"));
        Assert.Contains("kek: v3", later.Lines);
    }

    [Fact]
    public async Task Every_interrupted_state_resumes_to_a_consistent_end()
    {
        using var temp = new TempDirectory();
        var data = TestInstallation.Init(temp, "data");
        var records = new Dictionary<string, string[]>();
        foreach (var (name, backup) in new[] { ("a", new[] { "--slip39", "2-of-3" }), ("b", new[] { "--bip39" }) })
        {
            records[name] = TestInstallation.Record(TestInstallation.Admin(["ceremony", "generate", "--data-dir", data, "--name", name,
                .. backup, "--non-interactive", "--out-dir", Path.Combine(temp.Path, name)]));
        }

        var actions = new List<string>();
        using (var installation = Custody.Cli.Installation.Open(data, Custody.Hsm.HsmOptions.SoftHsmModulePath))
        {
            var seeds = installation.Wallets;
            IReadOnlyList<WalletRecord> ReadAll() => seeds.HdWalletsAsync(CancellationToken.None).GetAwaiter().GetResult();
            bool ReplaceAll(IReadOnlyList<Reseal> changes, int kek) => seeds.ResealAsync(changes, kek, "operator:tests", CancellationToken.None).GetAwaiter().GetResult();
            var rotation = new KekRotation(installation.Hsm, seeds, "operator:tests", (action, _) => { actions.Add(action); return Task.CompletedTask; }, TextWriter.Null);
            int[] Versions() => [.. installation.Hsm.Keks.Versions()];
            int[] SeedVersions() => [.. ReadAll().Select(r => r.KekVersion!.Value)];

            // STEADY → STEADY.
            var outcome = await rotation.RunAsync();
            Assert.Equal((1, 2, 2, false), (outcome.From, outcome.To, outcome.Resealed, outcome.Resumed));
            Assert.Equal([1], outcome.Destroyed);
            Assert.Equal([2], Versions());
            Assert.Equal([2, 2], SeedVersions());
            // "kek.resealed" is written by the ledger with the swap itself, in the same commit.
            Assert.Equal(["kek.rotate.start", "kek.created", "kek.verified", "kek.destroyed", "kek.rotate.complete"], actions);

            // Crash right after creating the new KEK (PREPARED): the re-run reseals to that KEK, it does not make another.
            installation.Hsm.Keks.Ensure(3);
            actions.Clear();
            outcome = await rotation.RunAsync();
            Assert.True(outcome.Resumed);
            Assert.Equal((3, 2), (outcome.To, outcome.Resealed));
            Assert.Equal([2], outcome.Destroyed);
            Assert.Equal([3], Versions());
            Assert.Equal([3, 3], SeedVersions());
            Assert.Equal("kek.rotate.resume", actions[0]);

            // Crash after the commit, before the old KEK was destroyed (COMMITTED): the re-run only verifies and destroys.
            installation.Hsm.Keks.Ensure(4);
            var sealer = installation.Hsm.CreateSealer(4);
            var rows = ReadAll();
            Assert.True(ReplaceAll([.. rows.Select(r =>
            {
                using var seed = sealer.Unseal(r.SealedSeed, SeedBinding.AssociatedData(r.WalletId, r.KekVersion!.Value));
                return new Reseal(r.WalletId, r.SealedSeed!, r.KekVersion.Value, sealer.Seal(seed.Span, SeedBinding.AssociatedData(r.WalletId, 4)));
            })], 4));
            outcome = await rotation.RunAsync();
            Assert.True(outcome.Resumed);
            Assert.Equal((4, 0), (outcome.To, outcome.Resealed));
            Assert.Equal([3], outcome.Destroyed);
            Assert.Equal([4], Versions());

            // A seed changed between read and write: the whole batch is refused, nothing is half-written.
            rows = ReadAll();
            var stale = rows.Select(r => new Reseal(r.WalletId, r.SealedSeed!, r.KekVersion!.Value, r.SealedSeed!)).ToList();
            using (var seed = sealer.Unseal(rows[1].SealedSeed, SeedBinding.AssociatedData(rows[1].WalletId, 4)))
            {
                var moved = new Reseal(rows[1].WalletId, rows[1].SealedSeed!, 4, sealer.Seal(seed.Span, SeedBinding.AssociatedData(rows[1].WalletId, 4)));
                Assert.True(ReplaceAll([moved], 4)); // someone else reseals wallet b (a fresh IV: a new blob)
            }
            var before = ReadAll();
            Assert.False(ReplaceAll(stale, 4));
            Assert.Equal(before.Select(r => Convert.ToHexString(r.SealedSeed!)), ReadAll().Select(r => Convert.ToHexString(r.SealedSeed!)));
        }

        // Through all of it, both wallets still unseal, derive and sign as at their ceremony.
        foreach (var (name, record) in records)
        {
            var now = TestInstallation.Admin("ceremony", "record", "--data-dir", data, "--name", name);
            Assert.Equal(record, TestInstallation.Record(now));
            Assert.Contains("kek: v4", now.Lines);
        }
    }
}
