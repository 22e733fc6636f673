using System.CommandLine;
using Custody.Cli.Hsm;
using Custody.Cli.Init;
using Custody.Cli.SelfCheck;
using Custody.Cli.Token;

namespace Custody.Cli;

/// <summary>
/// Every verb custody-admin knows; each lives in Commands/&lt;Noun&gt;/&lt;Verb&gt;Command.cs, in namespace
/// Custody.Cli.&lt;Noun&gt; (Custody.Cli.Commands would clash with this class).
/// </summary>
internal static class Commands
{
    public static IEnumerable<Command> All()
    {
        yield return DeriveCommand.Create();
        yield return SelfCheckCommand.Create();
        yield return InitCommand.Create();
        yield return TokenCommand.Create();

        var hsm = new Command("hsm", "PKCS#11 token administration");
        hsm.Subcommands.Add(InitTokenCommand.Create());
        yield return hsm;
    }
}
