using System.CommandLine;
using Custody.Cli.Init;
using Custody.Cli.Token;

namespace Custody.Cli;

/// <summary>Every verb custody-admin knows; each lives in Commands/&lt;Noun&gt;/&lt;Verb&gt;Command.cs.</summary>
internal static class Commands
{
    public static IEnumerable<Command> All()
    {
        yield return DeriveCommand.Create();
        yield return InitCommand.Create();
        yield return TokenCommand.Create();
    }
}
