using System.CommandLine;
using Custody.V1;

namespace Custody.Cli.Approver;

/// <summary>
/// custody-admin approver keygen: a new approver key in a new 0600 file (PKCS#8 PEM); its public
/// key on stdout (base64), for an admin to register. Runs on the approver's own machine, offline.
/// </summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var command = new Command("keygen", "Make an approver key pair: the private key to a new 0600 file, the public key to register on stdout");
        var output = new Option<string>("--out") { Description = "The new private key file (PKCS#8 PEM, mode 0600; never overwritten)", Required = true };
        var algorithm = new Option<string>("--algorithm") { Description = "ed25519 (default) or p256", DefaultValueFactory = _ => "ed25519" };
        algorithm.AcceptOnlyFromAmong("ed25519", "p256");
        command.Options.Add(output);
        command.Options.Add(algorithm);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output)!;
            if (File.Exists(path)) throw new CliException($"{path} exists; refusing to overwrite a key file");
            var algorithmName = parse.GetValue(algorithm)!;
            using var key = ApproverKey.Generate(algorithmName == "p256" ? ApproverKeyAlgorithm.P256 : ApproverKeyAlgorithm.Ed25519);
            using (var writer = new StreamWriter(OwnerOnlyFile.CreateNew(path))) writer.Write(key.ToPem());
            var publicKey = Convert.ToBase64String(key.PublicKey());
            Console.Out.WriteLine(publicKey);
            Console.Error.WriteLine($"{algorithmName} key written to {path} (mode 0600). An admin registers it with:");
            Console.Error.WriteLine($"  custody-admin approver register --id YOUR-APPROVER-ID --algorithm {algorithmName} --public-key {publicKey}");
            return CliRunner.Ok;
        });
        return command;
    }
}
