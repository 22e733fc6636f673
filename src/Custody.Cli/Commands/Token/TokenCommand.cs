using Custody.Core.Ledger;
using System.CommandLine;

namespace Custody.Cli.Token;

/// <summary>custody-admin token create|revoke|list: API tokens of the daemon.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var command = new Command("token", "API tokens: create (shown once), revoke, list");
        command.Subcommands.Add(TokenCreateCommand.Create());
        command.Subcommands.Add(TokenRevokeCommand.Create());
        command.Subcommands.Add(TokenListCommand.Create());
        return command;
    }

    public static Option<string> DataDirOption() => new("--data-dir")
    {
        Description = "The daemon's data directory (created by custody-admin init)",
        Required = true,
    };

    /// <summary>
    /// Runs <paramref name="action"/> on the installation's token ledger; each change writes its own
    /// record (by "operator:NAME") in the same commit, and the command signs a checkpoint as it closes.
    /// </summary>
    public static async Task<T> WithTokensAsync<T>(string dataDir, Func<ITokenLedger, Task<T>> action)
    {
        await using var installation = Installation.Open(dataDir, Custody.Hsm.HsmOptions.SoftHsmModulePath);
        return await action(installation.Ledger.Tokens).ConfigureAwait(false);
    }
}
