using System.Security.Cryptography;
using Custody.Core.Ceremony;
using Custody.Core.Crypto;
using Custody.Core.Ledger;

namespace Custody.Cli.Ceremony;

/// <summary>The one way a ceremony's seed enters the database: sealed under the current KEK, checked, stored.</summary>
internal static class CeremonyWallet
{
    public static async Task<WalletRecord> StoreAsync(Installation installation, CeremonyAudit audit, string ceremony, string name, SecretBytes seed, uint fingerprint, CancellationToken cancellationToken)
    {
        var walletId = WalletRecord.NewId();
        var kekVersion = installation.CurrentKekVersion();
        var sealer = installation.Hsm.CreateSealer(kekVersion);
        var associatedData = SeedBinding.AssociatedData(walletId, kekVersion);
        var blob = sealer.Seal(seed.Span, associatedData);
        // Prove the blob opens to the seed while the seed is still in hand: after this, the
        // blob and the custodians' pieces are the only copies.
        using (var check = sealer.Unseal(blob, associatedData))
        {
            if (!CryptographicOperations.FixedTimeEquals(check.Span, seed.Span))
                throw new CliException($"the seed sealed under KEK v{kekVersion} did not unseal to itself; nothing was stored");
        }
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var wallet = new WalletRecord(walletId, name, WalletKind.Hd, null, blob, kekVersion, null, null, fingerprint, now, WalletBackup.Ceremony);
        await installation.Wallets.CreateAsync(wallet, audit.Principal, new Dictionary<string, string> { ["via"] = ceremony }, cancellationToken).ConfigureAwait(false);
        return wallet;
    }

    /// <summary>The record on stdout: public facts only, the same lines for generate and restore.</summary>
    public static void Print(WalletRecord wallet, CeremonyRecord record)
    {
        Console.Out.WriteLine($"wallet_id: {wallet.WalletId}");
        Console.Out.WriteLine($"kek: v{wallet.KekVersion}");
        foreach (var line in record.Lines()) Console.Out.WriteLine(line);
    }
}
