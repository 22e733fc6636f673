using System.CommandLine;
using System.Globalization;
using Custody.Core.Ledger;

namespace Custody.Cli.Token;

/// <summary>custody-admin token list: ids, principals, roles, scopes and state; never secrets (they are not stored).</summary>
internal static class TokenListCommand
{
    public static Command Create()
    {
        var dataDir = TokenCommand.DataDirOption();
        var command = new Command("list", "List API tokens (without secrets)");
        command.Options.Add(dataDir);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = new Custody.Storage.DataDirectory(parse.GetValue(dataDir)!);
            if (!LedgerLocation.Exists(directory))
                throw new CliException($"{directory.Ledger} does not exist: run custody-admin init --data-dir {directory.Root} first");
            await using var ledger = Installation.OpenLedger(directory, signer: null);
            foreach (var token in await ledger.Tokens.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                var state = token.RevokedAt is { } revoked ? "revoked " + revoked.ToString("u", CultureInfo.InvariantCulture) : "active";
                Console.Out.WriteLine($"{token.TokenId}\t{token.Principal}\t{RoleNames.Format(token.Roles)}\t{token.Wallets}\t{state}");
            }
            return CliRunner.Ok;
        });
        return command;
    }
}
