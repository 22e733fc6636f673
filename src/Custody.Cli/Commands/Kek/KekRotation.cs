using System.Security.Cryptography;
using Custody.Core.Audit;
using Custody.Core.Ceremony;
using Custody.Core.Ledger;
using Custody.Hsm;

namespace Custody.Cli.Kek;

/// <summary>
/// Rotates the KEK that seals wallet seeds. The state lives where it must anyway — the KEK
/// versions on the token and the KEK version of each sealed seed in the database — so a
/// run, or a re-run after an interruption, reads the state and carries on from it:
/// <code>
///   STEADY     token {C}          seeds all under C
///     │ create KEK N = C + 1 in the HSM
///   PREPARED   token {C, N}       seeds under C (the daemon can still open every one)
///     │ unseal each seed under C, seal it under N, check the new blob opens to the same
///     │ seed, then swap ALL blobs in ONE database transaction (compare-and-swap per row)
///   COMMITTED  token {C, N}       seeds all under N (C unused but still there)
///     │ re-read every seed and unseal it under N; only then destroy C
///   STEADY     token {N}          seeds all under N
/// </code>
/// An interruption before the commit leaves PREPARED: every seed still opens under C, and
/// the re-run (which sees the newest KEK unused by some seeds) reseals to that same N
/// instead of creating another. An interruption after the commit leaves COMMITTED: every
/// seed opens under N, and the re-run only verifies and destroys. A seed sealed under an
/// old KEK by someone else meanwhile makes the compare-and-swap fail or shows up in the
/// verification, and is resealed in another pass; the old KEK is never destroyed while a
/// seed still needs it.
/// </summary>
internal sealed class KekRotation(HsmConnection hsm, IWalletLedger seeds, string principal, Func<string, (string, string)[], Task> audit, TextWriter progress)
{
    private const int MaxPasses = 3;

    public sealed record Outcome(int From, int To, int Resealed, IReadOnlyList<int> Destroyed, bool Resumed);

    public async Task<Outcome> RunAsync()
    {
        var versions = hsm.Keks.Versions();
        if (versions.Count == 0)
            throw new CliException($"token '{hsm.TokenLabel}' holds no KEK: run custody-admin init first");
        var newest = versions[^1];
        var rows = await seeds.HdWalletsAsync(CancellationToken.None).ConfigureAwait(false);

        int target;
        var resumed = versions.Count > 1 || rows.Any(r => r.KekVersion != newest);
        if (resumed)
        {
            // PREPARED or COMMITTED: an earlier rotation to the newest KEK did not finish.
            target = newest;
            progress.WriteLine($"finishing the rotation to KEK v{target} that was interrupted (token holds {Versions(versions)})");
            await audit(AuditActions.KekRotateResume, [("to", $"v{target}"), ("token_keks", Versions(versions))]).ConfigureAwait(false);
        }
        else
        {
            target = newest + 1;
            await audit(AuditActions.KekRotateStart, [("from", $"v{newest}"), ("to", $"v{target}"), ("seeds", $"{rows.Count}")]).ConfigureAwait(false);
            hsm.Keks.Ensure(target);
            progress.WriteLine($"created KEK v{target}");
            await audit(AuditActions.KekCreated, [("version", $"v{target}")]).ConfigureAwait(false);
        }

        var sealer = hsm.CreateSealer(target);
        var resealed = 0;
        for (var pass = 1; ; pass++)
        {
            rows = await seeds.HdWalletsAsync(CancellationToken.None).ConfigureAwait(false);
            var stale = rows.Where(r => r.KekVersion != target).ToList();
            if (stale.Count == 0) break;
            if (pass > MaxPasses)
                throw new CliException($"{stale.Count} sealed seeds kept changing during {MaxPasses} passes; nothing was destroyed, run kek rotate again");

            var changes = stale.Select(row => Reseal(sealer, row, target)).ToList();
            // One commit swaps every blob and writes its record ("kek.resealed"), or nothing.
            if (await seeds.ResealAsync(changes, target, principal, CancellationToken.None).ConfigureAwait(false))
            {
                resealed += changes.Count;
                progress.WriteLine($"resealed {changes.Count} seeds under KEK v{target} in one transaction");
            }
            else
            {
                progress.WriteLine("a sealed seed changed while resealing; nothing was written, trying again");
            }
        }

        // COMMITTED: prove every seed opens under the new KEK before the old one goes.
        foreach (var row in rows)
        {
            using var seed = sealer.Unseal(row.SealedSeed, SeedBinding.AssociatedData(row.WalletId, row.KekVersion!.Value));
        }
        progress.WriteLine($"verified: all {rows.Count} sealed seeds open under KEK v{target}");
        await audit(AuditActions.KekVerified, [("version", $"v{target}"), ("seeds", $"{rows.Count}")]).ConfigureAwait(false);

        var destroyed = new List<int>();
        foreach (var old in hsm.Keks.Versions().Where(v => v < target))
        {
            hsm.Keks.Destroy(old);
            destroyed.Add(old);
            progress.WriteLine($"destroyed KEK v{old}");
            await audit(AuditActions.KekDestroyed, [("version", $"v{old}")]).ConfigureAwait(false);
        }
        var from = resumed ? (destroyed.Count > 0 ? destroyed[^1] : target) : newest;
        await audit(AuditActions.KekRotateComplete, [("from", $"v{from}"), ("to", $"v{target}"), ("resealed", $"{resealed}")]).ConfigureAwait(false);
        return new Outcome(from, target, resealed, destroyed, resumed);
    }

    /// <summary>Unseals under the row's KEK, seals under <paramref name="target"/>, and checks the new blob before it is used.</summary>
    private static Custody.Core.Ledger.Reseal Reseal(IBlobSealer sealer, WalletRecord row, int target)
    {
        using var seed = sealer.Unseal(row.SealedSeed, SeedBinding.AssociatedData(row.WalletId, row.KekVersion!.Value));
        var associatedData = SeedBinding.AssociatedData(row.WalletId, target);
        var blob = sealer.Seal(seed.Span, associatedData);
        using (var check = sealer.Unseal(blob, associatedData))
        {
            if (!CryptographicOperations.FixedTimeEquals(check.Span, seed.Span))
                throw new CliException($"wallet {row.WalletId}: the seed resealed under KEK v{target} did not open to itself; nothing was written");
        }
        return new Custody.Core.Ledger.Reseal(row.WalletId, row.SealedSeed!, row.KekVersion.Value, blob);
    }

    private static string Versions(IReadOnlyList<int> versions) => string.Join(", ", versions.Select(v => $"v{v}"));
}
