using System.CommandLine;
using Custody.Cli.Approver;
using Custody.Cli.Sign;
using Custody.V1;
using Google.Protobuf;

namespace Custody.Cli.Requests;

/// <summary>
/// requests approve and reject: reads the parked request, signs its statement with the approver's
/// key file here (the key never goes to the daemon) and submits the signature as the token's principal.
/// </summary>
internal static class VerdictCommand
{
    public static Command Create(string name, bool approve)
    {
        var command = new Command(name, approve
            ? "Approve a parked request: sign its approve statement with your key file and submit it"
            : "Reject a parked request (one rejection ends it): sign its reject statement with your key file and submit it");
        var connection = DaemonClient.Options.AddTo(command);
        var digest = DigestOption.AddTo(command);
        var keyFile = new Option<string>("--key-file") { Description = "Your approver private key (raw 32-byte Ed25519 seed, or PKCS#8 PEM Ed25519 / P-256; mode 0600)", Required = true };
        command.Options.Add(keyFile);
        command.SetAction(parse =>
        {
            using var key = ApproverKey.Read(parse.GetValue(keyFile)!);
            using var daemon = connection.Connect(parse);
            var parked = daemon.Signing.GetRequest(new GetRequestRequest { RequestDigest = parse.GetValue(digest)! }, daemon.Call);
            Console.Error.WriteLine(ListCommand.Describe(parked));
            SigningOptions.PrintIntent(parked.Intent, Console.Error);
            var request = new SubmitVerdictRequest
            {
                RequestDigest = parked.RequestDigest,
                Signature = ByteString.CopyFrom(key.Sign(approve ? parked.ApproveStatement : parked.RejectStatement)),
            };
            var verdict = approve ? daemon.Signing.ApproveRequest(request, daemon.Call) : daemon.Signing.RejectRequest(request, daemon.Call);
            DaemonClient.Print(connection.Json(parse), verdict, () =>
            {
                Console.Out.WriteLine($"{verdict.Outcome}: {verdict.Approvals} of {verdict.Required} approvals{(verdict.Reason.Length > 0 ? $" ({verdict.Reason})" : "")}");
                if (verdict.QuorumReached) Console.Error.WriteLine("quorum reached: the requester repeats the same signing call (same request id) to get the signature");
            });
            return verdict.Outcome == "Refused" ? CliRunner.Failure : CliRunner.Ok;
        });
        return command;
    }
}

internal static class ApproveCommand
{
    public static Command Create() => VerdictCommand.Create("approve", approve: true);
}

internal static class RejectCommand
{
    public static Command Create() => VerdictCommand.Create("reject", approve: false);
}
