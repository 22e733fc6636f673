using System.CommandLine;
using System.Globalization;
using Custody.Storage.Tokens;

namespace Custody.Cli.Token;

/// <summary>custody-admin token list: ids, principals, roles, scopes and state; never secrets (they are not stored).</summary>
internal static class TokenListCommand
{
    public static Command Create()
    {
        var dataDir = TokenCommand.DataDirOption();
        var command = new Command("list", "List API tokens (without secrets)");
        command.Options.Add(dataDir);
        command.SetAction(parse =>
        {
            foreach (var token in TokenCommand.OpenStore(parse.GetValue(dataDir)!).List())
            {
                var state = token.RevokedAt is { } revoked ? "revoked " + revoked.ToString("u", CultureInfo.InvariantCulture) : "active";
                Console.Out.WriteLine($"{token.TokenId}\t{token.Principal}\t{RoleNames.Format(token.Roles)}\t{token.Wallets}\t{state}");
            }
            return CliRunner.Ok;
        });
        return command;
    }
}
