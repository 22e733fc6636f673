using System.CommandLine;
using Custody.V1;
using Google.Protobuf;

namespace Custody.Cli.Approver;

/// <summary>
/// custody-admin approver register: registers (or replaces) an approver's public key or passkey
/// (admin, unscoped token). A passkey is its credential id and public key as the browser that
/// created it reports them (PublicKeyCredential.rawId, AuthenticatorAttestationResponse.getPublicKey()).
/// </summary>
internal static class RegisterCommand
{
    public static Command Create()
    {
        var command = new Command("register", "Register an approver's public key (its token's principal must be the same id)");
        var connection = DaemonClient.Options.AddTo(command);
        var id = new Option<string>("--id") { Description = "The approver id policies name (and its token's principal)", Required = true };
        var algorithm = new Option<string>("--algorithm") { Description = "ed25519, p256, passkey-es256 or passkey-eddsa", Required = true };
        algorithm.AcceptOnlyFromAmong(Algorithms.Keys.ToArray());
        var publicKey = new Option<string>("--public-key")
        {
            Description = "The public key, base64: as approver keygen prints it, or a passkey's SubjectPublicKeyInfo", Required = true,
        };
        var credentialId = new Option<string>("--credential-id") { Description = "A passkey's credential id (rawId), base64url or base64" };
        foreach (var option in new Option[] { id, algorithm, publicKey, credentialId }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var chosen = Algorithms[parse.GetValue(algorithm)!];
            var passkey = chosen is ApproverKeyAlgorithm.PasskeyEs256 or ApproverKeyAlgorithm.PasskeyEddsa;
            if (passkey != (parse.GetValue(credentialId) is not null))
                throw new CliException(passkey ? "a passkey needs --credential-id" : "--credential-id is for passkeys only", CliRunner.UsageError);
            using var daemon = connection.Connect(parse);
            var registered = daemon.Policy.RegisterApprover(new RegisterApproverRequest
            {
                ApproverId = parse.GetValue(id)!,
                Algorithm = chosen,
                PublicKey = ByteString.CopyFrom(Base64(parse.GetValue(publicKey)!, "--public-key")),
                CredentialId = passkey ? ByteString.CopyFrom(Base64(parse.GetValue(credentialId)!, "--credential-id")) : ByteString.Empty,
            }, daemon.Call);
            DaemonClient.Print(connection.Json(parse), registered, () => Console.Out.WriteLine($"registered {parse.GetValue(id)}: key {registered.Fingerprint}"));
            return CliRunner.Ok;
        });
        return command;
    }

    private static readonly Dictionary<string, ApproverKeyAlgorithm> Algorithms = new(StringComparer.Ordinal)
    {
        ["ed25519"] = ApproverKeyAlgorithm.Ed25519,
        ["p256"] = ApproverKeyAlgorithm.P256,
        ["passkey-es256"] = ApproverKeyAlgorithm.PasskeyEs256,
        ["passkey-eddsa"] = ApproverKeyAlgorithm.PasskeyEddsa,
    };

    /// <summary>Standard base64 or base64url (what browsers' tools print for credential ids), padded or not.</summary>
    private static byte[] Base64(string text, string option)
    {
        var standard = text.Trim().Replace('-', '+').Replace('_', '/');
        try
        {
            return Convert.FromBase64String(standard.PadRight(standard.Length + (4 - standard.Length % 4) % 4, '='));
        }
        catch (FormatException)
        {
            throw new CliException($"{option} is not base64", CliRunner.UsageError);
        }
    }
}
