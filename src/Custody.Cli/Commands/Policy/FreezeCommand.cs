using System.CommandLine;
using Custody.V1;

namespace Custody.Cli.Policy;

/// <summary>custody-admin freeze: stops all signing of a wallet (or everything) at once; the reason goes to the audit log.</summary>
internal static class FreezeCommand
{
    public static Command Create()
    {
        var command = new Command("freeze", "Stop all signing for a wallet, or globally");
        var connection = DaemonClient.Options.AddTo(command);
        var scope = PolicyScopeOptions.AddTo(command);
        var reason = new Option<string>("--reason") { Description = "Why, for the audit log and whoever unfreezes", Required = true };
        command.Options.Add(reason);
        command.SetAction(parse =>
        {
            var walletId = scope.WalletId(parse);
            using var daemon = connection.Connect(parse);
            var state = daemon.Policy.Freeze(new FreezeRequest { WalletId = walletId, Reason = parse.GetValue(reason)! }, daemon.Call);
            Console.Out.WriteLine($"frozen: {PolicyScopeOptions.Describe(walletId)} by {state.FrozenBy} at {state.FrozenAt?.ToDateTimeOffset():u}: {state.Reason}");
            return CliRunner.Ok;
        });
        return command;
    }
}
