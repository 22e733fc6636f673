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
    /// Records an administrative action on tokens in the installation's audit log, signed off by
    /// the HSM audit key like every ceremony step. Public facts only: ids, principals, roles, scopes.
    /// </summary>
    public static async Task AuditAsync(string dataDir, string operatorName, string action, params (string Key, string Value)[] details)
    {
        using var installation = Installation.Open(dataDir, Custody.Hsm.HsmOptions.SoftHsmModulePath);
        await using var audit = CeremonyAudit.Open(installation, operatorName);
        await audit.RecordAsync(action, null, details).ConfigureAwait(false);
    }

    /// <summary>The token store of an existing installation; a missing database is an error, not a new one.</summary>
    public static Custody.Storage.Tokens.TokenStore OpenStore(string dataDir)
    {
        var database = new Custody.Storage.DataDirectory(dataDir).Database;
        if (!File.Exists(database))
            throw new CliException($"{database} does not exist: run custody-admin init --data-dir {dataDir} first");
        return new Custody.Storage.Tokens.TokenStore(new Custody.Storage.Sqlite.SqliteDatabase(database));
    }
}
