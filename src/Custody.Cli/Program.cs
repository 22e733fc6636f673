using System.CommandLine;

namespace Custody.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("custody-admin: key ceremonies and administration for Custody");
        foreach (var command in Commands.All())
            root.Subcommands.Add(command);
        return CliRunner.Run(root, args);
    }
}
