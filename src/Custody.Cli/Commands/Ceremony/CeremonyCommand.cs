using System.CommandLine;

namespace Custody.Cli.Ceremony;

/// <summary>custody-admin ceremony: how a wallet's seed comes into being and how it comes back.</summary>
internal static class CeremonyCommand
{
    public static Command Create()
    {
        var command = new Command("ceremony", "Key ceremonies: generate a wallet seed with its backup, or restore one from its backup");
        command.Subcommands.Add(GenerateCommand.Create());
        command.Subcommands.Add(RestoreCommand.Create());
        command.Subcommands.Add(RecordCommand.Create());
        return command;
    }

    public static Option<string> DataDir() => new("--data-dir") { Description = "The installation's data directory (created by custody-admin init)", Required = true };

    public static Option<string> Module() => new("--module")
    {
        Description = "SoftHSM PKCS#11 module",
        DefaultValueFactory = _ => Custody.Hsm.HsmOptions.SoftHsmModulePath,
    };

    public static Option<string> Operator() => new("--operator")
    {
        Description = "Who runs the ceremony, for the audit log",
        DefaultValueFactory = _ => Environment.UserName,
    };

    public static Option<string> Name() => new("--name") { Description = "Name of the new wallet (unique)", Required = true };

}
