using System.Text.Json;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;

namespace Custody.Cli.Tests;

/// <summary>custody-admin derive, run as a child process against BIP and Trezor examples.</summary>
public sealed class DeriveCommandTests : IDisposable
{
    private const string Abandon = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    private const string All = "all all all all all all all all all all all all";

    private readonly string _dir = Directory.CreateTempSubdirectory("custody-derive-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private JsonElement DeriveJson(string mnemonic, string chain, string path, params string[] extra)
    {
        var result = ChildProcess.Admin(["derive", "--mnemonic-file", File("m.txt", mnemonic + "\n"), "--chain", chain, "--path", path, "--json", .. extra]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement.Clone();
        Assert.Equal(chain, root.GetProperty("chain").GetString());
        return root;
    }

    [Theory]
    // BIP84, BIP86, SLIP-132 (BIP44, BIP49) for "abandon … about"
    [InlineData("btc", "m/84'/0'/0'/0/0", "p2wpkh", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c")]
    [InlineData("btc", "m/84h/0h/0h/1/0", "p2wpkh", "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el", "03025324888e429ab8e3dbaf1f7802648b9cd01e9b418485c5fa4c1b9b5700e1a6")]
    [InlineData("btc", "m/86'/0'/0'/0/0", "p2tr", "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr", null)]
    [InlineData("btc", "m/44'/0'/0'/0/0", "p2pkh", "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA", null)]
    [InlineData("btc", "m/49'/0'/0'/0/0", "p2sh-p2wpkh", "37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf", null)]
    [InlineData("btc-testnet", "m/49'/1'/0'/0/0", "p2sh-p2wpkh", "2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2", "03a1af804ac108a8a51782198c2d034b28bf90c8803f5a53f76276fa69a4eae77f")]
    public void Bitcoin_examples(string chain, string path, string kind, string address, string? publicKey)
    {
        var json = DeriveJson(Abandon, chain, path);
        Assert.Equal(KeyPath.Parse(path).ToString(), json.GetProperty("path").GetString());
        Assert.Equal(kind, json.GetProperty("kind").GetString());
        Assert.Equal(address, json.GetProperty("address").GetString());
        Assert.Equal(66, json.GetProperty("publicKey").GetString()!.Length);
        if (publicKey is not null) Assert.Equal(publicKey, json.GetProperty("publicKey").GetString());
    }

    [Theory]
    // Trezor firmware fixtures for "all … all"
    [InlineData("eth", "m/44'/60'/0'/0/0", "0x73d0385F4d8E00C5e6504C6030F47BF6212736A8")]
    [InlineData("evm:137", "m/44'/60'/0'/0/100", "0x1e6E3708a059aEa1241a81c7aAe84b6CDbC54d59")]
    [InlineData("evm:999999", "m/44'/60'/0'", "0xdA0b608bdb1a4A154325C854607c68950b4F1a34")]
    [InlineData("trx", "m/44'/195'/0'/0/0", "TY72iA3SBtrds3QLYsS7LwYfkzXwAXCRWT")]
    [InlineData("trx", "m/44'/195'/2'/0/0", "TUKx4Z56RMrYWzAu1qoiDSHQTNiSgYHYyF")]
    [InlineData("sol", "m/44'/501'/0'/0'", "14CCvQzQzHCVgZM3j9soPnXuJXh1RmCfwLVUcdfbZVBS")]
    [InlineData("sol", "m/44'/501'", "zZqNUDNijfbMXFy2wVCdJSm9MeMfxBMdxBqseSuiSW6")]
    public void Account_chain_examples(string chain, string path, string address)
    {
        var json = DeriveJson(All, chain, path);
        Assert.Equal(address, json.GetProperty("address").GetString());
        Assert.False(json.TryGetProperty("kind", out _));
        Assert.Equal(chain == "sol" ? 64 : 66, json.GetProperty("publicKey").GetString()!.Length);
    }

    [Fact]
    public void Passphrase_file_is_used_without_its_trailing_newline()
    {
        // python-mnemonic vector 1: "abandon … about" with passphrase "TREZOR" gives this seed.
        var seed = Convert.FromHexString("c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04");
        using var master = ExtendedPrivateKey.FromSeed(seed);
        using var key = master.Derive(KeyPath.Parse("m/84'/0'/0'/0/0"));
        var result = ChildProcess.Admin("derive", "--mnemonic-file", File("m.txt", Abandon), "--passphrase-file", File("p.txt", "TREZOR\r\n"),
            "--chain", "btc", "--path", "m/84'/0'/0'/0/0", "--json");
        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal(Convert.ToHexStringLower(key.PublicKey), doc.RootElement.GetProperty("publicKey").GetString());
    }

    [Fact]
    public void Kind_overrides_the_purpose_and_the_human_form_is_short()
    {
        var result = ChildProcess.Admin("derive", "--mnemonic-file", File("m.txt", Abandon), "--chain", "btc",
            "--path", "m/84'/0'/0'/0/0", "--kind", "p2pkh");
        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("btc m/84'/0'/0'/0/0 (p2pkh)", lines[0]);
        Assert.Contains("0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("1", lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], StringComparison.Ordinal);
    }

    public static TheoryData<string, string[], string> BadInputs() => new()
    {
        { "wrong word", ["--mnemonic-file", "{bad-word}", "--chain", "btc", "--path", "m/84'/0'/0'/0/0"], "word 7 is not in the BIP39 English word list" },
        { "bad checksum", ["--mnemonic-file", "{bad-checksum}", "--chain", "btc", "--path", "m/84'/0'/0'/0/0"], "checksum does not match" },
        { "word count", ["--mnemonic-file", "{eleven}", "--chain", "btc", "--path", "m/84'/0'/0'/0/0"], "has 11 words" },
        { "malformed path", ["--mnemonic-file", "{good}", "--chain", "btc", "--path", "m/84'/x/0"], "path: 'x' at level 2 is not an index" },
        { "index too big", ["--mnemonic-file", "{good}", "--chain", "btc", "--path", "m/84'/0'/2147483648"], "is not below 2^31" },
        { "unknown chain", ["--mnemonic-file", "{good}", "--chain", "xyz", "--path", "m/84'/0'/0'/0/0"], "chain: unknown chain 'xyz'" },
        { "normal step on ed25519", ["--mnemonic-file", "{good}", "--chain", "sol", "--path", "m/44'/501'/0'/0"], "ed25519 (SLIP-10) supports hardened steps only: level 4 is normal" },
        { "missing mnemonic file", ["--mnemonic-file", "{missing}", "--chain", "btc", "--path", "m/84'/0'/0'/0/0"], "does not exist" },
        { "missing passphrase file", ["--mnemonic-file", "{good}", "--passphrase-file", "{missing}", "--chain", "btc", "--path", "m/84'/0'/0'/0/0"], "passphrase file" },
        { "kind the network lacks", ["--mnemonic-file", "{good}", "--chain", "doge", "--path", "m/84'/3'/0'/0/0"], "dogecoin has no segwit" },
        { "explicit kind the network lacks", ["--mnemonic-file", "{good}", "--chain", "doge", "--path", "m/44'/3'/0'/0/0", "--kind", "p2tr"], "dogecoin has no segwit" },
        { "unknown kind", ["--mnemonic-file", "{good}", "--chain", "btc", "--path", "m/84'/0'/0'/0/0", "--kind", "p2wsh"], "'p2wsh' is not one of" },
        { "kind on an account chain", ["--mnemonic-file", "{good}", "--chain", "eth", "--path", "m/44'/60'/0'/0/0", "--kind", "p2pkh"], "kinds apply to Bitcoin-family chains, not eth" },
        { "no purpose to infer the kind from", ["--mnemonic-file", "{good}", "--chain", "btc", "--path", "m/0/1"], "pass --kind" },
        { "binary mnemonic file", ["--mnemonic-file", "{binary}", "--chain", "btc", "--path", "m/84'/0'/0'/0/0"], "not UTF-8 text" },
        { "missing option", ["--chain", "btc", "--path", "m/84'/0'/0'/0/0"], "--mnemonic-file" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_exits_non_zero_with_one_line_and_no_stack_trace(string name, string[] args, string message)
    {
        var files = new Dictionary<string, string>
        {
            ["{good}"] = File("good.txt", Abandon),
            ["{bad-word}"] = File("bad-word.txt", Abandon.Replace("abandon abandon abandon abandon abandon abandon abandon", "abandon abandon abandon abandon abandon abandon secretword", StringComparison.Ordinal)),
            ["{bad-checksum}"] = File("bad-checksum.txt", Abandon.Replace("about", "above", StringComparison.Ordinal)),
            ["{eleven}"] = File("eleven.txt", Abandon.Replace(" about", "", StringComparison.Ordinal)),
            ["{missing}"] = Path.Combine(_dir, "no-such-file.txt"),
            ["{binary}"] = File("binary.txt", ""),
        };
        System.IO.File.WriteAllBytes(files["{binary}"], [0x61, 0xff, 0xfe, 0x62]);
        var result = ChildProcess.Admin(["derive", .. args.Select(a => files.GetValueOrDefault(a, a))]);
        Assert.True(result.ExitCode != 0, name);
        Assert.Single(result.ErrorLines);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secretword", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("abandon", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }
}
