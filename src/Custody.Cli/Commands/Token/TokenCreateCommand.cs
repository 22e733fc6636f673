using System.CommandLine;
using Custody.Core.Ledger;

namespace Custody.Cli.Token;

/// <summary>
/// custody-admin token create: a new API token for a principal with roles and a wallet scope.
/// The secret is shown once (stdout, or a new 0600 file with --output) and stored only as a hash.
/// </summary>
internal static class TokenCreateCommand
{
    public static Command Create()
    {
        var dataDir = TokenCommand.DataDirOption();
        var principal = new Option<string>("--principal") { Description = "Who the token speaks for (letters, digits, _ - . @)", Required = true };
        var roles = new Option<string>("--roles") { Description = "Comma-separated: signer, approver, auditor, admin", Required = true };
        var wallets = new Option<string>("--wallets") { Description = "\"*\" for every wallet, or comma-separated wallet ids", DefaultValueFactory = _ => "*" };
        var output = new Option<string?>("--output") { Description = "Write the token to this new file (mode 0600) instead of stdout" };
        var op = Ceremony.CeremonyCommand.Operator();
        var command = new Command("create", "Create an API token; its secret is shown once");
        command.Options.Add(op);
        command.Options.Add(dataDir);
        command.Options.Add(principal);
        command.Options.Add(roles);
        command.Options.Add(wallets);
        command.Options.Add(output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var parsedRoles = RoleNames.Parse(parse.GetValue(roles)!);
            var scope = WalletScope.Parse(parse.GetValue(wallets)!);
            var outputPath = parse.GetValue(output);
            if (outputPath is not null && File.Exists(outputPath))
                throw new CliException($"{outputPath} exists; refusing to overwrite a token file");
            var by = CeremonyAudit.OperatorPrincipal(parse.GetValue(op)!);
            // Created and recorded in one commit, before the secret is handed out: a token nobody audited is never shown.
            var (token, secret) = await TokenCommand.WithTokensAsync(parse.GetValue(dataDir)!,
                tokens => tokens.CreateAsync(parse.GetValue(principal)!, parsedRoles, scope, by, cancellationToken)).ConfigureAwait(false);
            if (outputPath is null)
            {
                Console.Out.WriteLine(secret);
            }
            else
            {
                OwnerOnlyFile.WriteLine(outputPath, secret);
            }
            Console.Error.WriteLine($"created {token.TokenId} for {token.Principal} ({RoleNames.Format(token.Roles)}; wallets {token.Wallets})" +
                (outputPath is null ? "; the token above is shown once" : $"; token written to {outputPath}"));
            return CliRunner.Ok;
        });
        return command;
    }
}
