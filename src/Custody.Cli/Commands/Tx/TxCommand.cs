using System.CommandLine;

namespace Custody.Cli;

/// <summary>custody-admin tx …: look at chain-native transactions offline.</summary>
internal static class TxCommand
{
    public static Command Create()
    {
        var command = new Command("tx", "Inspect chain-native transactions (offline, no keys)");
        command.Subcommands.Add(DecodeCommand.Create());
        return command;
    }
}
