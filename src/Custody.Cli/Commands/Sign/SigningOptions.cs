using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Custody.Cli.Wallet;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.V1;

namespace Custody.Cli.Sign;

/// <summary>
/// What sign tx, sign message and dry-run share: the wallet, chain, payload file, signer key and
/// request id. Without --request-id the id is derived from the request itself, so running the same
/// command again is a retry that gets the stored reply, never a second signature.
/// </summary>
internal sealed record SigningOptions(
    DaemonClient.Options Connection, Option<string> Wallet, Option<string> Chain, Option<FileInfo> File,
    Option<uint> Account, Option<uint> Index, Option<string> RequestId)
{
    private const long MaxFileBytes = 1024 * 1024;

    public static SigningOptions AddTo(Command command, string fileDescription)
    {
        var connection = DaemonClient.Options.AddTo(command);
        var wallet = WalletOption.AddTo(command);
        var chain = new Option<string>("--chain") { Description = "Chain id: btc, btc-testnet, btc-regtest, ltc, doge, eth, evm:<chainId>, trx, sol", Required = true };
        var file = new Option<FileInfo>("--file") { Description = fileDescription, Required = true };
        var account = new Option<uint>("--account") { Description = "Account chains: the signer key's account (default 0)" };
        var index = new Option<uint>("--index") { Description = "Account chains: the signer key's address index (default 0)" };
        var requestId = new Option<string>("--request-id") { Description = "Idempotency key (1-128 of [A-Za-z0-9._:-]); default: derived from the request, so a rerun is a retry" };
        foreach (var option in new Option[] { chain, file, account, index, requestId }) command.Options.Add(option);
        return new SigningOptions(connection, wallet, chain, file, account, index, requestId);
    }

    public string WalletId(ParseResult parse) => parse.GetValue(Wallet)!;

    public string ChainId(ParseResult parse) => parse.GetValue(Chain)!;

    public V1.Signer Signer(ParseResult parse) => new() { Account = parse.GetValue(Account), Index = parse.GetValue(Index) };

    /// <summary>The file's bytes; a binary PSBT becomes its base64 text form, anything else is the payload as written (trimmed).</summary>
    public byte[] ReadBytes(ParseResult parse)
    {
        var file = parse.GetValue(File)!;
        if (!file.Exists) throw new CliException($"{file.FullName}: no such file");
        if (file.Length > MaxFileBytes) throw new CliException($"{file.FullName}: larger than the daemon's 1 MiB limit");
        return System.IO.File.ReadAllBytes(file.FullName);
    }

    public string ReadPayload(ParseResult parse)
    {
        var bytes = ReadBytes(parse);
        return PartiallySignedTransaction.HasMagic(bytes) ? Convert.ToBase64String(bytes) : Encoding.UTF8.GetString(bytes).Trim();
    }

    public string RequestIdFor(ParseResult parse, string kind, string content)
    {
        if (parse.GetValue(RequestId) is { Length: > 0 } given) return given;
        var signer = Signer(parse);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}\n{WalletId(parse)}\n{ChainId(parse)}\n{signer.Account}/{signer.Index}\n{content}"));
        return "cli-" + Convert.ToHexStringLower(digest)[..32];
    }

    /// <summary>An intent for people: amounts in base units with the human amount beside them.</summary>
    public static void PrintIntent(TransactionIntent intent, TextWriter to)
    {
        foreach (var source in intent.Sources) to.WriteLine($"from:    {source}");
        foreach (var output in intent.Outputs)
            to.WriteLine($"to:      {(output.Destination.Length > 0 ? output.Destination : "(no address)")}  {Tx.DecodeCommand.Amount(intent.Chain, output.Asset, output.Amount)}{(output.IsChange ? "  (change)" : "")}");
        to.WriteLine($"fee:     {Tx.DecodeCommand.Amount(intent.Chain, Core.Chains.IntentOutput.NativeAsset, intent.Fee)}");
        if (intent.Call is { } call) to.WriteLine($"call:    {call.Contract} {call.Selector} value {Tx.DecodeCommand.Amount(intent.Chain, Core.Chains.IntentOutput.NativeAsset, call.Value)}");
        foreach (var note in intent.Notes) to.WriteLine($"note:    {note}");
    }

    public static string Sequence(ulong sequence) => sequence.ToString(CultureInfo.InvariantCulture);
}
