using System.CommandLine;
using Custody.V1;

namespace Custody.Cli.Wallet;

/// <summary>custody-admin wallet list: every wallet the token may see, one line each, pages followed to the end.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var command = new Command("list", "List the wallets the token may use");
        var connection = DaemonClient.Options.AddTo(command);
        command.SetAction(parse =>
        {
            using var daemon = connection.Connect(parse);
            var all = new ListWalletsResponse();
            var page = "";
            do
            {
                var next = daemon.Wallets.ListWallets(new ListWalletsRequest { PageSize = 500, PageToken = page }, daemon.Call);
                all.Wallets.Add(next.Wallets);
                page = next.NextPageToken;
            }
            while (page.Length > 0);
            DaemonClient.Print(connection.Json(parse), all, () =>
            {
                foreach (var wallet in all.Wallets) Console.Out.WriteLine(ShowCommand.Describe(wallet));
                var without = all.Wallets.Count(w => w.Backup != WalletBackup.Ceremony);
                if (without > 0) Console.Error.WriteLine($"{without} of {all.Wallets.Count} wallets have no recorded backup of their keys");
            });
            return CliRunner.Ok;
        });
        return command;
    }
}
