using System.Text.RegularExpressions;
using Custody.V1;
using Grpc.Core;

namespace Custody.Daemon.Tests;

/// <summary>
/// A wallet made through the API has no backup of its keys: the request must say it knows, the
/// wallet says so wherever it is shown, its creation record says so, and metrics count it.
/// </summary>
[Collection(DaemonCollection.Name)]
public class WalletBackupTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);

    [Theory]
    [InlineData(WalletKind.Hd, KeyCurve.Unspecified)]
    [InlineData(WalletKind.HsmNative, KeyCurve.Ed25519)]
    public async Task Creating_a_wallet_without_acknowledging_it_has_no_backup_is_refused_naming_the_field(WalletKind kind, KeyCurve curve)
    {
        var before = (await daemon.Wallets.ListWalletsAsync(new ListWalletsRequest { PageSize = 500 }, Admin)).Wallets.Count;
        foreach (var backup in new[] { Custody.V1.WalletBackup.Unspecified, Custody.V1.WalletBackup.Ceremony, Custody.V1.WalletBackup.Unrecorded })
        {
            var info = await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => daemon.Wallets.CreateWalletAsync(
                new CreateWalletRequest { Name = "no-backup", Kind = kind, Curve = curve, Backup = backup }, Admin));
            Assert.Equal("backup", info.Metadata["field"]);
        }
        Assert.Equal(before, (await daemon.Wallets.ListWalletsAsync(new ListWalletsRequest { PageSize = 500 }, Admin)).Wallets.Count);
    }

    [Fact]
    public async Task A_wallet_made_through_the_api_shows_no_backup_in_every_listing_its_record_and_metrics()
    {
        var created = await daemon.Wallets.CreateWalletAsync(
            new CreateWalletRequest { Name = "hot", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        Assert.Equal(Custody.V1.WalletBackup.NoneAcknowledged, created.Backup);
        Assert.Equal(created, await daemon.Wallets.GetWalletAsync(new GetWalletRequest { WalletId = created.WalletId }, Admin));
        Assert.Contains(created, (await daemon.Wallets.ListWalletsAsync(new ListWalletsRequest { PageSize = 500 }, Admin)).Wallets);

        var record = Assert.Single((await daemon.Audit.ListRecordsAsync(
            new ListAuditRecordsRequest { WalletId = created.WalletId, Action = "wallet.created" }, Admin)).Records);
        Assert.Equal("api", record.Details["via"]);
        Assert.Equal("none", record.Details["backup"]);

        var ceremony = await KnownSeed.ImportAsync(daemon, "with-backup");
        Assert.Equal(Custody.V1.WalletBackup.Ceremony, (await daemon.Wallets.GetWalletAsync(new GetWalletRequest { WalletId = ceremony }, Admin)).Backup);

        var metrics = await daemon.MetricsAsync();
        var hdWithout = Regex.Match(metrics, @"^custody_wallets\{backup=""none"",kind=""hd""\} (\d+)$", RegexOptions.Multiline);
        Assert.True(hdWithout.Success, metrics);
        Assert.True(long.Parse(hdWithout.Groups[1].Value) >= 1);
        Assert.Matches(@"(?m)^custody_wallets\{backup=""ceremony"",kind=""hd""\} [1-9]", metrics);
    }
}
