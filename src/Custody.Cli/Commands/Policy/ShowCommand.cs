using System.CommandLine;
using Custody.V1;

namespace Custody.Cli.Policy;

/// <summary>custody-admin policy show: the canonical document in force on stdout (so it can be edited and applied), its version on stderr.</summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var command = new Command("show", "Print the policy document in force and its version");
        var connection = DaemonClient.Options.AddTo(command);
        var scope = PolicyScopeOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var walletId = scope.WalletId(parse);
            using var daemon = connection.Connect(parse);
            var current = daemon.Policy.GetPolicy(new GetPolicyRequest { WalletId = walletId }, daemon.Call);
            if (current.Version == 0)
            {
                Console.Error.WriteLine($"no policy in force for {PolicyScopeOptions.Describe(walletId)}");
                return CliRunner.Ok;
            }
            Console.Error.WriteLine($"{PolicyScopeOptions.Describe(walletId)}: version {current.Version}");
            Console.Out.Write(current.Document.EndsWith('\n') ? current.Document : current.Document + "\n");
            return CliRunner.Ok;
        });
        return command;
    }
}
