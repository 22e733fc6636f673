using System.CommandLine;
using Custody.V1;

namespace Custody.Cli.Wallet;

/// <summary>
/// custody-admin wallet create: a wallet through the API, whose keys have no backup; the operator
/// says so with --no-backup (a wallet with a backup of its seed comes from ceremony generate).
/// The wallet id on stdout, the rest on stderr.
/// </summary>
internal static class CreateCommand
{
    public static Command Create()
    {
        var command = new Command("create", "Create a wallet (HD, or one HSM-native key); its keys have no backup");
        var connection = DaemonClient.Options.AddTo(command);
        var name = new Option<string>("--name") { Description = "A label for people (1 to 64 printable characters)", Required = true };
        var kind = new Option<string>("--kind") { Description = "hd (every chain, from a sealed seed) or hsm-native (one key inside the HSM)", DefaultValueFactory = _ => "hd" };
        kind.AcceptOnlyFromAmong("hd", "hsm-native");
        var curve = new Option<string>("--curve") { Description = "hsm-native only: secp256k1 or ed25519" };
        curve.AcceptOnlyFromAmong("secp256k1", "ed25519");
        var noBackup = new Option<bool>("--no-backup")
        {
            Description = "Required: acknowledge that no backup of the new keys will exist (lose the HSM or the ledger, lose the funds); " +
                "for a wallet with a backup run custody-admin ceremony generate",
        };
        command.Options.Add(name);
        command.Options.Add(kind);
        command.Options.Add(curve);
        command.Options.Add(noBackup);
        command.SetAction(parse =>
        {
            if (!parse.GetValue(noBackup))
                throw new CliException("a wallet made here has no backup of its keys: say you know with --no-backup, " +
                    "or make it in a ceremony (custody-admin ceremony generate) so that custodians hold a backup", CliRunner.UsageError);
            using var daemon = connection.Connect(parse);
            var wallet = daemon.Wallets.CreateWallet(new CreateWalletRequest
            {
                Name = parse.GetValue(name)!,
                Kind = parse.GetValue(kind) == "hsm-native" ? WalletKind.HsmNative : WalletKind.Hd,
                Curve = parse.GetValue(curve) switch { "secp256k1" => KeyCurve.Secp256K1, "ed25519" => KeyCurve.Ed25519, _ => KeyCurve.Unspecified },
                Backup = WalletBackup.NoneAcknowledged,
            }, daemon.Call);
            DaemonClient.Print(connection.Json(parse), wallet, () =>
            {
                Console.Out.WriteLine(wallet.WalletId);
                Console.Error.WriteLine($"created {ShowCommand.Describe(wallet)}");
            });
            return CliRunner.Ok;
        });
        return command;
    }
}
