using System.CommandLine;
using Custody.Core.Policy;
using Custody.V1;

namespace Custody.Cli.Policy;

/// <summary>
/// custody-admin policy diff: what apply would change. The file is put in canonical form with
/// the same writer the daemon stores with, then line-diffed against the version in force with
/// the same diff the audit log records, so the preview matches what apply reports.
/// </summary>
internal static class DiffCommand
{
    public static Command Create()
    {
        var command = new Command("diff", "Show the line diff between the policy in force and a document");
        var connection = DaemonClient.Options.AddTo(command, json: false);
        var scope = PolicyScopeOptions.AddTo(command);
        var file = new Option<string>("--file") { Description = "The policy document (JSON, comments allowed)", Required = true };
        command.Options.Add(file);
        command.SetAction(parse =>
        {
            var walletId = scope.WalletId(parse);
            var proposed = PolicyJson.Write(PolicyJson.Parse(PolicyFile.Read(parse.GetValue(file)!)));
            using var daemon = connection.Connect(parse);
            var current = daemon.Policy.GetPolicy(new GetPolicyRequest { WalletId = walletId }, daemon.Call);
            var diff = LineDiff.Compute(current.Document, proposed);
            Console.Error.WriteLine(diff.Length == 0
                ? $"no change against {PolicyScopeOptions.Describe(walletId)} version {current.Version}"
                : $"against {PolicyScopeOptions.Describe(walletId)} version {current.Version}:");
            Console.Out.Write(diff);
            return CliRunner.Ok;
        });
        return command;
    }
}
