using System.CommandLine;
using Custody.V1;

namespace Custody.Cli.Wallet;

/// <summary>custody-admin wallet show: one wallet, its backup state first among its facts.</summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var command = new Command("show", "Show one wallet");
        var connection = DaemonClient.Options.AddTo(command);
        var wallet = WalletOption.AddTo(command);
        command.SetAction(parse =>
        {
            using var daemon = connection.Connect(parse);
            var found = daemon.Wallets.GetWallet(new GetWalletRequest { WalletId = parse.GetValue(wallet)! }, daemon.Call);
            DaemonClient.Print(connection.Json(parse), found, () => Console.Out.WriteLine(Describe(found)));
            return CliRunner.Ok;
        });
        return command;
    }

    /// <summary>One line: id, name, kind, backup, fingerprint or key, creation time.</summary>
    internal static string Describe(V1.Wallet wallet)
    {
        var kind = wallet.Kind == WalletKind.HsmNative ? $"hsm-native {(wallet.Curve == KeyCurve.Ed25519 ? "ed25519" : "secp256k1")}" : "hd";
        var key = wallet.Kind == WalletKind.HsmNative ? $"key {wallet.PublicKey}" : $"fingerprint {wallet.MasterFingerprint}";
        return $"{wallet.WalletId}  {wallet.Name}  {kind}  {Backup(wallet.Backup)}  {key}  created {wallet.CreatedAt?.ToDateTimeOffset():u}";
    }

    internal static string Backup(WalletBackup backup) => backup switch
    {
        WalletBackup.Ceremony => "backup: ceremony",
        WalletBackup.NoneAcknowledged => "backup: NONE",
        _ => "backup: unrecorded",
    };
}

/// <summary>--wallet ID, the wallet a verb acts on.</summary>
internal static class WalletOption
{
    public static Option<string> AddTo(Command command)
    {
        var wallet = new Option<string>("--wallet") { Description = "The wallet id (w_…)", Required = true };
        command.Options.Add(wallet);
        return wallet;
    }
}
