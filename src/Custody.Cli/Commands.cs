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
        yield return Group("tx", "Inspect, combine and finalise chain-native transactions (offline, no keys)",
            Tx.DecodeCommand.Create(), Tx.PsbtRolesCommands.Combine(), Tx.PsbtRolesCommands.Finalize());
        yield return Group("audit", "Verify and export the tamper-evident audit log; prove a record is in it",
            Audit.VerifyCommand.Create(), Audit.ExportCommand.Create(), Audit.ProofCommand.Create());
        yield return Ceremony.CeremonyCommand.Create();
        yield return Kek.KekCommand.Create();
        yield return Group("policy", "Show, preview and publish the daemon's signing policy",
            Policy.ShowCommand.Create(), Policy.ApplyCommand.Create(), Policy.DiffCommand.Create());
        yield return Policy.FreezeCommand.Create();
        yield return Policy.UnfreezeCommand.Create();
        yield return Group("witness", "A witness that keeps a Custody audit log's checkpoints outside its installation", Witness.ServeCommand.Create());
        // Clients of the daemon's API for every verb (--endpoint, --token-file, --json).
        yield return Group("wallet", "Create, list and show wallets (through the daemon)",
            Wallet.CreateCommand.Create(), Wallet.ListCommand.Create(), Wallet.ShowCommand.Create());
        yield return Group("address", "Hand out a wallet's addresses (through the daemon)", Address.DeriveCommand.Create(), Address.NextCommand.Create());
        yield return Group("account", "A wallet's descriptor (multisig) accounts: define, list, show, derive addresses (through the daemon)",
            Account.AccountCommands.Create(), Account.AccountCommands.List(), Account.AccountCommands.Show(), Account.AccountCommands.Address());
        yield return Group("sign", "Sign a transaction or a message if the policy allows it (through the daemon)",
            Sign.TxCommand.Create(), Sign.MessageCommand.Create());
        yield return DryRun.DryRunCommand.Create();
        yield return Group("requests", "Parked requests: list, show, approve or reject with your approver key",
            Requests.ListCommand.Create(), Requests.ShowCommand.Create(), Requests.ApproveCommand.Create(), Requests.RejectCommand.Create());
        yield return Group("approver", "Approver keys: make one (offline), register or revoke one (admin)",
            Approver.KeygenCommand.Create(), Approver.RegisterCommand.Create(), Approver.RevokeCommand.Create());
        yield return Completion.CompletionCommand.Create();
    }

    private static Command Group(string name, string description, params Command[] verbs)
    {
        var group = new Command(name, description);
        foreach (var verb in verbs) group.Subcommands.Add(verb);
        return group;
    }
}
