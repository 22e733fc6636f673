using System.CommandLine;
using Custody.V1;

namespace Custody.Cli.Approver;

/// <summary>custody-admin approver revoke: the approver's key stops counting, even for approvals already given.</summary>
internal static class RevokeCommand
{
    public static Command Create()
    {
        var command = new Command("revoke", "Revoke an approver's key");
        var connection = DaemonClient.Options.AddTo(command);
        var id = new Option<string>("--id") { Description = "The approver id", Required = true };
        command.Options.Add(id);
        command.SetAction(parse =>
        {
            using var daemon = connection.Connect(parse);
            var revoked = daemon.Policy.RevokeApprover(new RevokeApproverRequest { ApproverId = parse.GetValue(id)! }, daemon.Call);
            DaemonClient.Print(connection.Json(parse), revoked, () =>
                Console.Out.WriteLine(revoked.Revoked ? $"revoked {parse.GetValue(id)}" : $"{parse.GetValue(id)} had no active key"));
            return CliRunner.Ok;
        });
        return command;
    }
}
