using System.CommandLine;
using Custody.Cli.Wallet;
using Custody.V1;

namespace Custody.Cli.Account;

/// <summary>
/// custody-admin account create|list|show|address: a wallet's descriptor (multisig) accounts
/// through the daemon. show prints the descriptor for the other cosigners to import and, on
/// stderr, our keys with their origins (what they need of us to build it themselves).
/// </summary>
internal static class AccountCommands
{
    public static Command Create()
    {
        var command = new Command("create", "Define a descriptor account: from --descriptor, or --threshold, --script and --cosigner keys (ours is added at its BIP48 path)");
        var connection = DaemonClient.Options.AddTo(command);
        var wallet = WalletOption.AddTo(command);
        var name = NameOption(command);
        var chain = new Option<string>("--chain") { Description = "A Bitcoin-family chain: btc, btc-testnet, btc-regtest, ltc, doge", Required = true };
        var descriptor = new Option<string>("--descriptor") { Description = "The account's descriptor with its #checksum; keys end in /<0;1>/*" };
        var threshold = new Option<uint>("--threshold") { Description = "Signatures needed, ours included (with --cosigner)" };
        var script = new Option<string>("--script") { Description = "wsh, sh-wsh, sh or tr (with --cosigner)", DefaultValueFactory = _ => "wsh" };
        script.AcceptOnlyFromAmong("wsh", "sh-wsh", "sh", "tr");
        var cosigners = new Option<string[]>("--cosigner") { Description = "Another cosigner's key, [fingerprint/path]xpub (repeat per cosigner)", AllowMultipleArgumentsPerToken = false };
        var bip48 = new Option<uint>("--bip48-account") { Description = "Our key's BIP48 account number: m/48'/coin'/N'/script' (default 0)" };
        foreach (var option in new Option[] { chain, descriptor, threshold, script, cosigners, bip48 }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var request = new CreateAccountRequest { WalletId = parse.GetValue(wallet)!, Name = parse.GetValue(name)!, Chain = parse.GetValue(chain)! };
            var keys = parse.GetValue(cosigners) ?? [];
            if (parse.GetValue(descriptor) is { } text)
            {
                if (keys.Length > 0) throw new CliException("give --descriptor, or --cosigner keys with --threshold, not both", CliRunner.UsageError);
                request.OutputDescriptor = text;
            }
            else
            {
                if (keys.Length == 0) throw new CliException("give --descriptor, or --cosigner keys with --threshold", CliRunner.UsageError);
                request.Cosigners = new Cosigners
                {
                    Threshold = parse.GetValue(threshold),
                    Account = parse.GetValue(bip48),
                    Keys = { keys },
                    ScriptType = parse.GetValue(script) switch
                    {
                        "sh-wsh" => MultisigScriptType.P2ShP2Wsh,
                        "sh" => MultisigScriptType.P2Sh,
                        "tr" => MultisigScriptType.P2Tr,
                        _ => MultisigScriptType.P2Wsh,
                    },
                };
            }
            using var daemon = connection.Connect(parse);
            var account = daemon.Wallets.CreateAccount(request, daemon.Call);
            DaemonClient.Print(connection.Json(parse), account, () => Describe(account));
            return CliRunner.Ok;
        });
        return command;
    }

    public static Command List()
    {
        var command = new Command("list", "List a wallet's descriptor accounts");
        var connection = DaemonClient.Options.AddTo(command);
        var wallet = WalletOption.AddTo(command);
        command.SetAction(parse =>
        {
            using var daemon = connection.Connect(parse);
            var all = daemon.Wallets.ListAccounts(new ListAccountsRequest { WalletId = parse.GetValue(wallet)! }, daemon.Call);
            DaemonClient.Print(connection.Json(parse), all, () =>
            {
                foreach (var account in all.Accounts) Console.Out.WriteLine($"{account.Name}  {account.Chain}  {account.OutputDescriptor}");
            });
            return CliRunner.Ok;
        });
        return command;
    }

    public static Command Show()
    {
        var command = new Command("show", "Show a descriptor account: its descriptor (stdout) and our keys with their origins (stderr)");
        var connection = DaemonClient.Options.AddTo(command);
        var wallet = WalletOption.AddTo(command);
        var name = NameOption(command);
        command.SetAction(parse =>
        {
            using var daemon = connection.Connect(parse);
            var account = daemon.Wallets.GetAccount(new GetAccountRequest { WalletId = parse.GetValue(wallet)!, Name = parse.GetValue(name)! }, daemon.Call);
            DaemonClient.Print(connection.Json(parse), account, () => Describe(account));
            return CliRunner.Ok;
        });
        return command;
    }

    public static Command Address()
    {
        var command = new Command("address", "The address of a descriptor account at an index, on its receive or --change branch");
        var connection = DaemonClient.Options.AddTo(command);
        var wallet = WalletOption.AddTo(command);
        var name = NameOption(command);
        var change = new Option<bool>("--change") { Description = "The change branch (1 of <0;1>) instead of the receive branch" };
        var index = new Option<uint>("--index") { Description = "The address index (below 2^31)", Required = true };
        command.Options.Add(change);
        command.Options.Add(index);
        command.SetAction(parse =>
        {
            using var daemon = connection.Connect(parse);
            var derived = daemon.Wallets.DeriveAccountAddress(new DeriveAccountAddressRequest
            {
                WalletId = parse.GetValue(wallet)!, Name = parse.GetValue(name)!, Change = parse.GetValue(change), Index = parse.GetValue(index),
            }, daemon.Call);
            DaemonClient.Print(connection.Json(parse), derived, () => Console.Out.WriteLine(derived.Address));
            return CliRunner.Ok;
        });
        return command;
    }

    private static Option<string> NameOption(Command command)
    {
        var name = new Option<string>("--name") { Description = "The account's name within the wallet ([A-Za-z0-9._-], up to 64)", Required = true };
        command.Options.Add(name);
        return name;
    }

    private static void Describe(V1.Account account)
    {
        Console.Out.WriteLine(account.OutputDescriptor);
        foreach (var key in account.OurKeys) Console.Error.WriteLine($"our key: {key}");
    }
}
