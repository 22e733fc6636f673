using System.CommandLine;
using Custody.V1;

namespace Custody.Cli.Policy;

/// <summary>custody-admin unfreeze: resumes signing (admin only; the daemon checks).</summary>
internal static class UnfreezeCommand
{
    public static Command Create()
    {
        var command = new Command("unfreeze", "Lift a freeze on a wallet, or the global one");
        var connection = DaemonClient.Options.AddTo(command);
        var scope = PolicyScopeOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var walletId = scope.WalletId(parse);
            using var daemon = connection.Connect(parse);
            var response = daemon.Policy.Unfreeze(new UnfreezeRequest { WalletId = walletId }, daemon.Call);
            Console.Out.WriteLine(response.WasFrozen
                ? $"unfrozen: {PolicyScopeOptions.Describe(walletId)}"
                : $"{PolicyScopeOptions.Describe(walletId)} was not frozen");
            return CliRunner.Ok;
        });
        return command;
    }
}
