using System.CommandLine;
using System.Text;
using System.Text.Json;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;

namespace Custody.Cli.Tx;

/// <summary>
/// custody-admin tx combine / tx finalize: the BIP174 Combiner, Finalizer and Extractor roles
/// for a multisig spend, offline and without keys. combine merges cosigners' PSBTs (refusing
/// two values for one key: signatures, UTXOs, scripts) and prints the PSBT in base64;
/// finalize verifies the signatures, finalises and prints the txid and the network transaction.
/// </summary>
internal static class PsbtRolesCommands
{
    private static Option<string> ChainOption() =>
        new("--chain") { Description = "Bitcoin-family chain id: btc, btc-testnet, btc-regtest, ltc, ltc-testnet, doge", Required = true };

    public static Command Combine()
    {
        var chain = ChainOption();
        var files = new Option<FileInfo[]>("--file") { Description = "A cosigner's PSBT (base64, hex or binary); give --file once per PSBT, at least twice", Required = true, AllowMultipleArgumentsPerToken = false };
        var command = new Command("combine", "Merge cosigners' PSBTs of one transaction (BIP174 Combiner); conflicting fields are refused");
        command.Options.Add(chain);
        command.Options.Add(files);
        command.SetAction(parse =>
        {
            var codec = PsbtCodecOf(parse.GetValue(chain)!);
            var paths = parse.GetValue(files)!;
            if (paths.Length < 2) throw new CliException("--file: give at least two PSBTs to combine");
            var combined = codec.Combine([.. paths.Select(f => Read(codec, f))]);
            Console.Out.WriteLine(combined.ToBase64());
            return CliRunner.Ok;
        });
        return command;
    }

    public static Command Finalize()
    {
        var chain = ChainOption();
        var file = new Option<FileInfo>("--file") { Description = "The PSBT with enough signatures (base64, hex or binary)", Required = true };
        var json = new Option<bool>("--json") { Description = "Print {txid, transaction, psbt} as JSON" };
        var command = new Command("finalize", "Finalise a fully signed PSBT and extract the network transaction (BIP174 Finalizer and Extractor)");
        command.Options.Add(chain);
        command.Options.Add(file);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var codec = PsbtCodecOf(parse.GetValue(chain)!);
            var (final, tx) = codec.FinalizeAndExtract(Read(codec, parse.GetValue(file)!));
            Console.Out.Write(parse.GetValue(json)
                ? JsonSerializer.Serialize(new { txid = tx.TxId, transaction = tx.ToHex(), psbt = final.ToBase64() }) + Environment.NewLine
                : $"txid: {tx.TxId}{Environment.NewLine}{tx.ToHex()}{Environment.NewLine}");
            return CliRunner.Ok;
        });
        return command;
    }

    private static PsbtCodec PsbtCodecOf(string chainId) =>
        ChainRegistry.Get(chainId).Codec() as PsbtCodec ?? throw new CliException($"--chain: {chainId} has no PSBTs; combine and finalize are for the Bitcoin family");

    private static byte[] Read(PsbtCodec codec, FileInfo file) => DecodeCommand.ReadPayload(codec, file);
}
