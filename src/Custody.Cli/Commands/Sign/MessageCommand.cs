using System.CommandLine;
using System.Text;
using Custody.V1;
using Google.Protobuf;

namespace Custody.Cli.Sign;

/// <summary>custody-admin sign message: EIP-191 personal_sign of the file's bytes, or EIP-712 typed data; the signature on stdout.</summary>
internal static class MessageCommand
{
    public static Command Create()
    {
        var command = new Command("message", "Sign an EVM off-chain message (EIP-191 personal_sign, or EIP-712 typed data with --typed-data)");
        var options = SigningOptions.AddTo(command, "File with the message bytes, or the eth_signTypedData_v4 JSON with --typed-data");
        var typed = new Option<bool>("--typed-data") { Description = "The file is EIP-712 typed data (JSON)" };
        command.Options.Add(typed);
        command.SetAction(parse =>
        {
            var bytes = options.ReadBytes(parse);
            var request = new SignMessageRequest { WalletId = options.WalletId(parse), Chain = options.ChainId(parse), Signer = options.Signer(parse) };
            if (parse.GetValue(typed)) request.TypedDataJson = Encoding.UTF8.GetString(bytes);
            else request.PersonalMessage = ByteString.CopyFrom(bytes);
            request.RequestId = options.RequestIdFor(parse, parse.GetValue(typed) ? "eip712" : "eip191", Convert.ToBase64String(bytes));
            using var daemon = options.Connection.Connect(parse);
            var signed = daemon.Signing.SignMessage(request, daemon.Call);
            DaemonClient.Print(options.Connection.Json(parse), signed, () =>
            {
                Console.Out.WriteLine(signed.Signature);
                Console.Error.WriteLine($"signed {request.RequestId} by {signed.SignerAddress} (rule {signed.PolicyRule}): digest {signed.Digest}, audit record {SigningOptions.Sequence(signed.Audit.Sequence)}");
            });
            return CliRunner.Ok;
        });
        return command;
    }
}
