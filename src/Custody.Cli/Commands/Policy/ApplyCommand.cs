using System.CommandLine;
using Custody.V1;

namespace Custody.Cli.Policy;

/// <summary>
/// custody-admin policy apply: publishes a document; the daemon validates it (a bad one is
/// refused naming the line) and records who changed what in the audit log.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var command = new Command("apply", "Publish a policy document as the new version in force");
        var connection = DaemonClient.Options.AddTo(command);
        var scope = PolicyScopeOptions.AddTo(command);
        var file = new Option<string>("--file") { Description = "The policy document (JSON, comments allowed)", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why it changes, for the audit record" };
        command.Options.Add(file);
        command.Options.Add(reason);
        command.SetAction(parse =>
        {
            var walletId = scope.WalletId(parse);
            var document = PolicyFile.Read(parse.GetValue(file)!);
            using var daemon = connection.Connect(parse);
            var published = daemon.Policy.SetPolicy(new SetPolicyRequest { WalletId = walletId, Document = document, Reason = parse.GetValue(reason) ?? "" }, daemon.Call);
            if (!published.Changed)
            {
                Console.Out.WriteLine($"unchanged: {PolicyScopeOptions.Describe(walletId)} is already at version {published.Version}");
                return CliRunner.Ok;
            }
            Console.Out.WriteLine($"{PolicyScopeOptions.Describe(walletId)}: version {published.Version}");
            Console.Out.Write(published.Diff);
            return CliRunner.Ok;
        });
        return command;
    }
}
