using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Custody.Core.Chains;
using Custody.Core.Policy;
using Custody.Core.Chains.Bitcoin.Psbt;

namespace Custody.Cli.Tx;

/// <summary>
/// custody-admin tx decode --chain CHAIN --file FILE [--json]: prints what an unsigned
/// transaction would do, as the policy will see it. The file holds the payload in its
/// text form (e.g. PSBT base64), or a binary PSBT.
/// </summary>
internal static class DecodeCommand
{
    private const long MaxFileBytes = 16 * 1024 * 1024;

    public static Command Create()
    {
        var chain = new Option<string>("--chain") { Description = "Chain id: btc, btc-testnet, btc-regtest, ltc, ltc-testnet, doge, …", Required = true };
        var file = new Option<FileInfo>("--file") { Description = "File with the unsigned transaction (text form, or a binary PSBT)", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the intent as JSON" };
        var command = new Command("decode", "Decode an unsigned transaction into its intent: outputs, fee, sources, notes");
        command.Options.Add(chain);
        command.Options.Add(file);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var codec = ChainRegistry.Get(parse.GetValue(chain)!).Codec();
            var intent = codec.Decode(ReadPayload(codec, parse.GetValue(file)!));
            Console.Out.Write(parse.GetValue(json) ? ToJson(intent) : ToText(intent));
            return CliRunner.Ok;
        });
        return command;
    }

    /// <summary>A payload file: binary PSBT, or the codec's text form; bounded in size.</summary>
    internal static byte[] ReadPayload(ITransactionCodec codec, FileInfo file)
    {
        if (!file.Exists) throw new CliException($"{file.FullName}: no such file");
        if (file.Length > MaxFileBytes) throw new CliException($"{file.FullName}: larger than {MaxFileBytes / 1024 / 1024} MiB");
        var bytes = File.ReadAllBytes(file.FullName);
        return PartiallySignedTransaction.HasMagic(bytes) ? bytes : codec.ParsePayload(Encoding.UTF8.GetString(bytes));
    }

    // The intent's canonical JSON (Core's IntentJson, whose SHA-256 approvers sign), indented for people.
    internal static string ToJson(TransactionIntent intent)
    {
        using var document = JsonDocument.Parse(IntentJson.Write(intent));
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            document.WriteTo(writer);
        return Encoding.UTF8.GetString(stream.ToArray()) + Environment.NewLine;
    }

    /// <summary>Base units and the asset, with the human amount beside them when its decimals are known: "10000 native (0.0001 BTC)".</summary>
    internal static string Amount(string chain, string asset, string baseUnits) =>
        AssetUnits.Format(chain, asset, baseUnits) is { } human ? $"{baseUnits} {asset} ({human})" : $"{baseUnits} {asset}";

    private static string ToText(TransactionIntent intent)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"chain:   {intent.Chain}");
        foreach (var source in intent.Sources) text.AppendLine(CultureInfo.InvariantCulture, $"from:    {source}");
        foreach (var output in intent.Outputs)
            text.AppendLine(CultureInfo.InvariantCulture,
                $"to:      {output.Destination ?? "(no address)"}  {Amount(intent.Chain.Id, output.Asset, output.Amount.ToString(CultureInfo.InvariantCulture))}{(output.IsChange ? "  (change)" : "")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"fee:     {Amount(intent.Chain.Id, IntentOutput.NativeAsset, intent.Fee.ToString(CultureInfo.InvariantCulture))}");
        if (intent.Call is { } call) text.AppendLine(CultureInfo.InvariantCulture, $"call:    {call.Contract} {call.Selector} value {call.Value}");
        foreach (var key in intent.ReplayKeys) text.AppendLine(CultureInfo.InvariantCulture, $"spends:  {key}");
        foreach (var note in intent.Notes) text.AppendLine(CultureInfo.InvariantCulture, $"note:    {note}");
        return text.ToString();
    }
}
