using System.CommandLine;
using System.CommandLine.Invocation;
using Custody.Core;

namespace Custody.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("custody-admin: key ceremonies and administration for Custody");
        foreach (var command in Commands.All())
            root.Subcommands.Add(command);
        // System.CommandLine prints the raw informational version ("0.1.0+<40 hex digits>"); say it as custodyd does.
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion();
        return CliRunner.Run(root, args);
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            Console.Out.WriteLine($"custody-admin {BuildVersion.Of(typeof(Program).Assembly)}");
            return CliRunner.Ok;
        }
    }
}
