using System.CommandLine;

namespace Custody.Cli.Token;

/// <summary>custody-admin token revoke: the token stops working (within the daemon's token cache period, 1 s by default).</summary>
internal static class TokenRevokeCommand
{
    public static Command Create()
    {
        var dataDir = TokenCommand.DataDirOption();
        var tokenId = new Option<string>("--token-id") { Description = "The token's public id (tok_…), as token create and token list print it", Required = true };
        var op = Ceremony.CeremonyCommand.Operator();
        var command = new Command("revoke", "Revoke an API token by id");
        command.Options.Add(op);
        command.Options.Add(dataDir);
        command.Options.Add(tokenId);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(tokenId)!;
            var by = CeremonyAudit.OperatorPrincipal(parse.GetValue(op)!);
            if (!await TokenCommand.WithTokensAsync(parse.GetValue(dataDir)!, tokens => tokens.RevokeAsync(id, by, cancellationToken)).ConfigureAwait(false))
                throw new CliException($"no active token {id}");
            Console.Error.WriteLine($"revoked {id}");
            return CliRunner.Ok;
        });
        return command;
    }
}
