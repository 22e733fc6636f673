using System.CommandLine;

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
        yield return SelfCheck.SelfCheckCommand.Create();
        yield return Init.InitCommand.Create();
        yield return Token.TokenCommand.Create();
        yield return Group("hsm", "PKCS#11 token administration", Hsm.InitTokenCommand.Create());
        yield return Group("tx", "Inspect chain-native transactions (offline, no keys)", Tx.DecodeCommand.Create());
        yield return Group("audit", "Verify and export the tamper-evident audit log", Audit.VerifyCommand.Create(), Audit.ExportCommand.Create());
        yield return Ceremony.CeremonyCommand.Create();
        yield return Kek.KekCommand.Create();
        yield return Group("policy", "Show, preview and publish the daemon's signing policy",
            Policy.ShowCommand.Create(), Policy.ApplyCommand.Create(), Policy.DiffCommand.Create());
        yield return Policy.FreezeCommand.Create();
        yield return Policy.UnfreezeCommand.Create();
        yield return Group("witness", "A witness that keeps a Custody audit log's checkpoints outside its installation", Witness.ServeCommand.Create());
    }

    private static Command Group(string name, string description, params Command[] verbs)
    {
        var group = new Command(name, description);
        foreach (var verb in verbs) group.Subcommands.Add(verb);
        return group;
    }
}
