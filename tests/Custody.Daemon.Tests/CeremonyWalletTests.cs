using Custody.Core.Ceremony;
using Custody.V1;

namespace Custody.Daemon.Tests;

/// <summary>
/// A wallet made by <c>custody-admin ceremony generate</c> is a daemon wallet like any other:
/// the daemon opens its sealed seed (same associated data, same KEK) and derives the addresses
/// the ceremony printed for the record. The CLI runs beside the running daemon: both append to
/// the one audit log and share the token.
/// </summary>
[Collection(DaemonCollection.Name)]
public class CeremonyWalletTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    [Fact]
    public async Task A_ceremony_wallet_derives_in_the_daemon_the_addresses_of_its_record()
    {
        var shares = Path.Combine(daemon.DataDir, "ceremony-shares-" + Guid.NewGuid().ToString("N")[..8]);
        var generated = ChildProcess.AdminSucceeds("ceremony", "generate", "--data-dir", daemon.DataDir, "--name", "ceremony-" + Guid.NewGuid().ToString("N")[..8],
            "--slip39", "2-of-3", "--non-interactive", "--out-dir", shares);
        Directory.Delete(shares, recursive: true);

        var lines = generated.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var walletId = lines.Single(l => l.StartsWith("wallet_id: ", StringComparison.Ordinal))["wallet_id: ".Length..];
        var wallet = await daemon.Wallets.GetWalletAsync(new GetWalletRequest { WalletId = walletId }, DaemonFixture.Bearer(daemon.SignerToken));
        Assert.Equal(lines.Single(l => l.StartsWith("fingerprint: ", StringComparison.Ordinal))["fingerprint: ".Length..], wallet.MasterFingerprint);
        Assert.Equal(WalletBackup.Ceremony, wallet.Backup); // the custodians hold its shares
        var created = Assert.Single((await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = walletId, Action = "wallet.created" },
            DaemonFixture.Bearer(daemon.AuditorToken))).Records);
        Assert.Equal(("ceremony generate", "ceremony"), (created.Details["via"], created.Details["backup"]));

        // btc comes from the account xpub (one unseal), sol from the seed itself (SLIP-10 is hardened only).
        foreach (var chain in new[] { "btc", "eth", "trx", "sol" })
        {
            var recorded = lines.Single(l => l.StartsWith($"address {chain} ", StringComparison.Ordinal)).Split(' ');
            var derived = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = walletId, Chain = chain, Index = 0 },
                DaemonFixture.Bearer(daemon.SignerToken));
            Assert.Equal((recorded[2], recorded[3]), (derived.DerivationPath, derived.Address));
        }

    }
}
