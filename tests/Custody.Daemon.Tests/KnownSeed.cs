using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip39;
using Custody.Daemon.Wallets;
using Custody.Hsm;
using Custody.Core.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace Custody.Daemon.Tests;

/// <summary>
/// A wallet whose seed is known, to check the daemon's addresses against published vectors:
/// the BIP39 "abandon … about" seed (empty passphrase), sealed under the daemon's KEK exactly
/// as a ceremony import would, and stored straight into the daemon's database.
/// </summary>
internal static class KnownSeed
{
    public const string Mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    public static async Task<string> ImportAsync(DaemonFixture daemon, string name)
    {
        using var mnemonic = Custody.Core.Hd.Bip39.Mnemonic.Parse(Mnemonic);
        using var seed = mnemonic.ToSeed([]);
        var hsm = daemon.App.Services.GetRequiredService<HsmConnection>();
        // The newest KEK, as the daemon seals new wallets: a KEK rotation test on the shared daemon may have destroyed v1.
        var sealer = hsm.CreateSealer(hsm.Keks.Versions()[^1]);
        var walletId = WalletRecord.NewId();
        uint? fingerprint;
        using (var ring = new HdKeyRing(seed, KeyCurve.Secp256k1)) fingerprint = ring.MasterFingerprint;
        var blob = sealer.Seal(seed.Span, Custody.Core.Ceremony.SeedBinding.AssociatedData(walletId, sealer.KekVersion));
        await daemon.Ledger.Wallets.CreateAsync(
            new WalletRecord(walletId, name, WalletKind.Hd, null, blob, sealer.KekVersion, null, null, fingerprint, DateTimeOffset.UtcNow, WalletBackup.Ceremony),
            "tests", new Dictionary<string, string> { ["via"] = "known seed" }, default);
        return walletId;
    }

    /// <summary>The mnemonic in a 0600 file, for custody-admin derive.</summary>
    public static string WriteMnemonicFile(string directory)
    {
        var path = Path.Combine(directory, "known.mnemonic");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Mnemonic + "\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return path;
    }
}
