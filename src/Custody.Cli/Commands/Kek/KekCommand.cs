using System.CommandLine;

namespace Custody.Cli.Kek;

/// <summary>custody-admin kek: the key-encryption keys that seal wallet seeds in the HSM.</summary>
internal static class KekCommand
{
    public static Command Create()
    {
        var command = new Command("kek", "Key-encryption keys in the HSM");
        command.Subcommands.Add(RotateCommand.Create());
        return command;
    }
}
