using System.CommandLine;
using Custody.V1;

namespace Custody.Cli.Sign;

/// <summary>custody-admin sign tx: signs an unsigned transaction if the policy allows it; the signed payload on stdout.</summary>
internal static class TxCommand
{
    public static Command Create()
    {
        var command = new Command("tx", "Sign an unsigned transaction (PSBT, EVM RLP hex, TRON raw_data hex, Solana message base64)");
        var options = SigningOptions.AddTo(command, "File with the unsigned transaction in its text form, or a binary PSBT");
        var accountName = new Option<string>("--account-name") { Description = "Bitcoin family: the wallet's descriptor account the PSBT spends from (change must pay it)" };
        command.Options.Add(accountName);
        command.SetAction(parse =>
        {
            var payload = options.ReadPayload(parse);
            var account = parse.GetValue(accountName) ?? "";
            var request = new SignTransactionRequest
            {
                // The account is part of the request: a derived id must differ with it (unchanged without one).
                RequestId = options.RequestIdFor(parse, "tx", account.Length == 0 ? payload : $"account {account}\n{payload}"),
                Account = account,
                WalletId = options.WalletId(parse),
                Chain = options.ChainId(parse),
                Payload = payload,
                Signer = options.Signer(parse),
            };
            using var daemon = options.Connection.Connect(parse);
            var signed = daemon.Signing.SignTransaction(request, daemon.Call);
            DaemonClient.Print(options.Connection.Json(parse), signed, () =>
            {
                Console.Out.WriteLine(signed.SignedPayload);
                SigningOptions.PrintIntent(signed.Intent, Console.Error);
                Console.Error.WriteLine($"signed {request.RequestId} (rule {signed.PolicyRule}): tx {signed.TxId}, audit record {SigningOptions.Sequence(signed.Audit.Sequence)}");
            });
            return CliRunner.Ok;
        });
        return command;
    }
}
