using System.CommandLine;
using Custody.V1;

namespace Custody.Cli.Requests;

/// <summary>custody-admin requests list: the requests waiting for approvals, oldest first.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var command = new Command("list", "List the requests waiting for approvals");
        var connection = DaemonClient.Options.AddTo(command);
        var wallet = new Option<string>("--wallet") { Description = "Only this wallet's (a token scoped to wallets must name one)" };
        command.Options.Add(wallet);
        command.SetAction(parse =>
        {
            using var daemon = connection.Connect(parse);
            var waiting = daemon.Signing.ListParkedRequests(new ListParkedRequestsRequest { WalletId = parse.GetValue(wallet) ?? "", Limit = 1000 }, daemon.Call);
            DaemonClient.Print(connection.Json(parse), waiting, () =>
            {
                foreach (var parked in waiting.Requests) Console.Out.WriteLine(Describe(parked));
            });
            return CliRunner.Ok;
        });
        return command;
    }

    internal static string Describe(ParkedRequest parked) =>
        $"{parked.RequestDigest}  {parked.State}  wallet {parked.WalletId}  {parked.Chain}  by {parked.Principal}  needs {parked.ApprovalsRequired}  expires {parked.ExpiresAt?.ToDateTimeOffset():u}";
}
