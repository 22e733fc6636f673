using System.CommandLine;
using Custody.Cli.Sign;
using Custody.V1;

namespace Custody.Cli.Requests;

/// <summary>custody-admin requests show: a parked request as an approver judges it: what it does, and the statement a verdict signs.</summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var command = new Command("show", "Show a parked request: its decoded intent and the statements approvers sign");
        var connection = DaemonClient.Options.AddTo(command);
        var digest = DigestOption.AddTo(command);
        command.SetAction(parse =>
        {
            using var daemon = connection.Connect(parse);
            var parked = daemon.Signing.GetRequest(new GetRequestRequest { RequestDigest = parse.GetValue(digest)! }, daemon.Call);
            DaemonClient.Print(connection.Json(parse), parked, () =>
            {
                Console.Out.WriteLine(ListCommand.Describe(parked));
                SigningOptions.PrintIntent(parked.Intent, Console.Out);
                Console.Out.Write("approve statement:\n" + parked.ApproveStatement);
            });
            return CliRunner.Ok;
        });
        return command;
    }
}

/// <summary>--digest, the request digest APPROVAL_REQUIRED and requests list give.</summary>
internal static class DigestOption
{
    public static Option<string> AddTo(Command command)
    {
        var digest = new Option<string>("--digest") { Description = "The parked request's digest (64 hex digits, from requests list or APPROVAL_REQUIRED)", Required = true };
        command.Options.Add(digest);
        return digest;
    }
}
