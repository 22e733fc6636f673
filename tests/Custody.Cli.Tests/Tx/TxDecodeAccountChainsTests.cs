using System.Text.Json;
using Custody.Core.Chains.Tron;
using Custody.Core.Wire;

namespace Custody.Cli.Tests.Tx;

/// <summary>custody-admin tx decode on EVM (EIP-155 example), TRON (a transfer) and Solana (a mainnet SPL transfer).</summary>
public sealed class TxDecodeAccountChainsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("custody-decode-acct-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static JsonElement Decode(string chain, string file)
    {
        var result = ChildProcess.Admin("tx", "decode", "--chain", chain, "--file", file, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.Clone();
    }

    // EIP-155 "Example": 1 ETH to 0x3535…, 21000 gas at 20 gwei, nonce 9.
    private const string Eip155Unsigned = "0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080";

    [Fact]
    public void Evm_transaction_as_json()
    {
        var root = Decode("eth", Write("tx.hex", Eip155Unsigned + "\n"));
        Assert.Equal("eth", root.GetProperty("chain").GetString());
        var output = Assert.Single(root.GetProperty("outputs").EnumerateArray());
        Assert.Equal("0x3535353535353535353535353535353535353535", output.GetProperty("destination").GetString());
        Assert.Equal("1000000000000000000", output.GetProperty("amount").GetString());
        Assert.Equal("420000000000000", root.GetProperty("fee").GetString());
        Assert.Equal(["1/9"], root.GetProperty("replayKeys").EnumerateArray().Select(k => k.GetString()));
    }

    [Fact]
    public void Evm_transaction_for_another_chain_is_refused_with_the_field()
    {
        var result = ChildProcess.Admin("tx", "decode", "--chain", "evm:137", "--file", Write("tx.hex", Eip155Unsigned), "--json");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("tx.chainId", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Tron_transfer_as_json_and_an_expired_one_refused()
    {
        static string Raw(long expiration)
        {
            var parameter = new ProtoWriter()
                .WriteBytes(1, Convert.FromHexString("417e5f4552091a69125d5dfcb7b8c2659029395bdf"))
                .WriteBytes(2, Convert.FromHexString("4141f82674a30ae1328745d08afe2d1a0a24195283"))
                .WriteInt64(3, 18123456).ToArray();
            var any = new ProtoWriter().WriteString(1, "type.googleapis.com/protocol.TransferContract").WriteBytes(2, parameter).ToArray();
            var contract = new ProtoWriter().WriteVarint(1, 1).WriteBytes(2, any).ToArray();
            return Convert.ToHexStringLower(new ProtoWriter().WriteBytes(1, [0xe9, 0x42]).WriteBytes(4, Convert.FromHexString("6394747da9fee421"))
                .WriteInt64(8, expiration).WriteBytes(11, contract).ToArray());
        }

        var future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        var root = Decode("trx", Write("raw.hex", Raw(future)));
        Assert.Equal(["TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC"], root.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
        var output = Assert.Single(root.GetProperty("outputs").EnumerateArray());
        Assert.Equal(TronAddress.ToText(Convert.FromHexString("4141f82674a30ae1328745d08afe2d1a0a24195283")), output.GetProperty("destination").GetString());
        Assert.Equal("18123456", output.GetProperty("amount").GetString());

        var expired = ChildProcess.Admin("tx", "decode", "--chain", "trx", "--file", Write("old.hex", Raw(1752562632000)), "--json");
        Assert.NotEqual(0, expired.ExitCode);
        Assert.Contains("raw_data.expiration", expired.Stderr, StringComparison.Ordinal);
    }

    // wallet-core's SignTokenTransfer message (mainnet transaction 3vZ67C…): SPL TransferChecked of 4000 base units.
    private const string SolanaTokenTransfer =
        "AQACBZTDiQ+o1LwEqypnbSyv6lzciZ7NlanL5ZPp3yWHWWhaxFNYv3OyxZZznQKvwfnNHae4dV+R/Ep6hgoIEMBHlOIlRFWLsFwmmPiIUqeSXFwO5eqHEd2z/hJiFQKD7ugRYwaDEIYamDJ9BVBXTYRBiqbhDDNS3ap/1/WBUszusjiHBt324ddloZPZy+FGzut5rBy0he1fWzeROoz1hX7/AKmo92Qy7pv3rxBj6i2Lflo+7CpaAc1nq6EaWXjBpAOwZQEEBAEDAgAKDKAPAAAAAAAABg==";

    [Fact]
    public void Solana_token_transfer_as_json()
    {
        var root = Decode("sol", Write("message.b64", SolanaTokenTransfer));
        Assert.Equal("sol", root.GetProperty("chain").GetString());
        var output = Assert.Single(root.GetProperty("outputs").EnumerateArray());
        Assert.Equal("3WUX9wASxyScbA7brDipioKfXS1XEYkQ4vo3Kej9bKei", output.GetProperty("destination").GetString());
        Assert.Equal("SRMuApVNdxXokk5GT7XD5cUUgXMBCoAz2LHeuAoKWRt", output.GetProperty("asset").GetString());
        Assert.Equal("4000", output.GetProperty("amount").GetString());
        Assert.Equal("5000", root.GetProperty("fee").GetString());
        Assert.Equal("B1iGmDJdvmxyUiYM8UEo2Uw2D58EmUrw4KyLYMmrhf8V", root.GetProperty("sources")[0].GetString());
    }
}
