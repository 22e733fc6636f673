using System.CommandLine;
using Custody.Cli.Sign;
using Custody.V1;

namespace Custody.Cli.DryRun;

/// <summary>custody-admin dry-run: the decision a transaction would get now, and what it does, without reserving anything.</summary>
internal static class DryRunCommand
{
    public static Command Create()
    {
        var command = new Command("dry-run", "The policy's decision on an unsigned transaction now, without signing or reserving anything");
        var options = SigningOptions.AddTo(command, "File with the unsigned transaction in its text form, or a binary PSBT");
        command.SetAction(parse =>
        {
            using var daemon = options.Connection.Connect(parse);
            var decision = daemon.Policy.DryRun(new DryRunRequest
            {
                WalletId = options.WalletId(parse),
                Chain = options.ChainId(parse),
                Payload = options.ReadPayload(parse),
                Signer = options.Signer(parse),
                RequestId = parse.GetValue(options.RequestId) ?? "",
            }, daemon.Call);
            DaemonClient.Print(options.Connection.Json(parse), decision, () =>
            {
                Console.Out.WriteLine($"decision: {decision.Outcome} (rule {decision.Rule}, policy version {decision.PolicyVersion})");
                if (decision.Reason.Length > 0) Console.Out.WriteLine($"reason:  {decision.Reason}");
                if (decision.ApprovalsRequired > 0) Console.Out.WriteLine($"needs:   {decision.ApprovalsRequired} approvals");
                if (decision.Intent is { } intent) SigningOptions.PrintIntent(intent, Console.Out);
            });
            return CliRunner.Ok;
        });
        return command;
    }
}
