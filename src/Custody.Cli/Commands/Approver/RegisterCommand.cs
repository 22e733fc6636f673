using System.CommandLine;
using Custody.V1;
using Google.Protobuf;

namespace Custody.Cli.Approver;

/// <summary>custody-admin approver register: registers (or replaces) an approver's public key (admin, unscoped token).</summary>
internal static class RegisterCommand
{
    public static Command Create()
    {
        var command = new Command("register", "Register an approver's public key (its token's principal must be the same id)");
        var connection = DaemonClient.Options.AddTo(command);
        var id = new Option<string>("--id") { Description = "The approver id policies name (and its token's principal)", Required = true };
        var algorithm = new Option<string>("--algorithm") { Description = "ed25519 or p256", Required = true };
        algorithm.AcceptOnlyFromAmong("ed25519", "p256");
        var publicKey = new Option<string>("--public-key") { Description = "The public key, base64, as approver keygen prints it", Required = true };
        foreach (var option in new Option[] { id, algorithm, publicKey }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(parse.GetValue(publicKey)!);
            }
            catch (FormatException)
            {
                throw new CliException("--public-key is not base64", CliRunner.UsageError);
            }
            using var daemon = connection.Connect(parse);
            var registered = daemon.Policy.RegisterApprover(new RegisterApproverRequest
            {
                ApproverId = parse.GetValue(id)!,
                Algorithm = parse.GetValue(algorithm) == "p256" ? ApproverKeyAlgorithm.P256 : ApproverKeyAlgorithm.Ed25519,
                PublicKey = ByteString.CopyFrom(key),
            }, daemon.Call);
            DaemonClient.Print(connection.Json(parse), registered, () => Console.Out.WriteLine($"registered {parse.GetValue(id)}: key {registered.Fingerprint}"));
            return CliRunner.Ok;
        });
        return command;
    }
}
