using System.Text.Json;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;

namespace Custody.Cli.Tests.Tx;

/// <summary>custody-admin tx decode on the BIP174 workflow's updater PSBT (testnet), in text and binary form.</summary>
public sealed class DecodeCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("custody-decode-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Vector => Path.Combine(AppContext.BaseDirectory, "Vectors", "bip174-workflow-updater.psbt.b64");

    [Fact]
    public void Prints_the_intent_as_json_from_base64_and_from_a_binary_psbt()
    {
        var binary = Path.Combine(_directory, "updater.psbt");
        var psbt = PartiallySignedTransaction.ParseBase64(File.ReadAllText(Vector));
        File.WriteAllBytes(binary, psbt.ToBytes());

        var fromText = ChildProcess.Admin("tx", "decode", "--chain", "btc-testnet", "--file", Vector, "--json");
        var fromBinary = ChildProcess.Admin("tx", "decode", "--chain", "btc-testnet", "--file", binary, "--json");

        Assert.Equal(0, fromText.ExitCode);
        Assert.Equal("", fromText.Stderr);
        Assert.Equal(fromText.Stdout, fromBinary.Stdout);
        using var json = JsonDocument.Parse(fromText.Stdout);
        var root = json.RootElement;
        Assert.Equal("btc-testnet", root.GetProperty("chain").GetString());
        Assert.Equal("10000", root.GetProperty("fee").GetString()); // 0.5 + 2 BTC in, 1.4999 + 1 BTC out
        var outputs = root.GetProperty("outputs");
        Assert.Equal(2, outputs.GetArrayLength());
        for (var i = 0; i < 2; i++)
        {
            BitcoinAddress.TryFromScriptPubKey(psbt.UnsignedTransaction.Outputs[i].ScriptPubKey, BitcoinNetwork.Testnet, out var address);
            Assert.Equal(address, outputs[i].GetProperty("destination").GetString());
            Assert.Equal("native", outputs[i].GetProperty("asset").GetString());
            Assert.True(outputs[i].GetProperty("isChange").GetBoolean()); // claimed by its bip32_derivation
        }
        Assert.Equal("149990000", outputs[0].GetProperty("amount").GetString());
        Assert.Equal("100000000", outputs[1].GetProperty("amount").GetString());
        Assert.Equal(2, root.GetProperty("sources").GetArrayLength());
        Assert.Equal(
            ["75ddabb27b8845f5247975c8a5ba7c6f336c4570708ebe230caf6db5217ae858:0", "1dea7cd05979072a3578cab271c02244ea8a090bbb46aa680a65ecd027048d83:1"],
            root.GetProperty("replayKeys").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(0, root.GetProperty("notes").GetArrayLength());
    }

    [Fact]
    public void Prints_readable_text_without_json()
    {
        var result = ChildProcess.Admin("tx", "decode", "--chain", "btc-testnet", "--file", Vector);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("fee:     10000", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("(change)", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("doge", "error: input[1].witness_utxo: dogecoin has no segwit")]
    [InlineData("eth", "error: payload: not hex text")] // a PSBT is not an EVM payload
    [InlineData("nochain", "error: chain: unknown chain 'nochain'")]
    public void Refusals_are_one_line_on_stderr_with_a_failure_code(string chain, string expected)
    {
        var result = ChildProcess.Admin("tx", "decode", "--chain", chain, "--file", Vector, "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.StartsWith(expected, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_psbt_is_refused()
    {
        var garbage = Path.Combine(_directory, "garbage.txt");
        File.WriteAllText(garbage, "this is not a transaction");

        var result = ChildProcess.Admin("tx", "decode", "--chain", "btc", "--file", garbage);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: psbt: not valid base64", result.Stderr, StringComparison.Ordinal);
    }
}
