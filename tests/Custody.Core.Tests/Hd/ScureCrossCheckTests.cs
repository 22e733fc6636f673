using System.Globalization;
using System.Text;
using System.Text.Json;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.Core.Hd.Bip39;
using Custody.Core.Tests.TestKit;

namespace Custody.Core.Tests.Hd;

/// <summary>
/// Differential test against @scure/bip39 + @scure/bip32 and the JS engine's NFKD
/// (tests/crosscheck/hd): random entropy, non-ASCII passphrases and random paths must give
/// the same mnemonic, seed, xprv and xpub; random near-miss mnemonics the same verdict.
/// Skipped when node or the folder's node_modules is missing.
/// </summary>
public class ScureCrossCheckTests
{
    [NodeFact("tests/crosscheck/hd", "@scure/bip32")]
    public void Custody_agrees_with_scure_and_the_JS_engine()
    {
        var random = new Random(2024);
        var pool = NormalisationPool();
        string RandomText(int maxLength) => string.Concat(Enumerable.Range(0, random.Next(0, maxLength))
            .Select(_ => random.Next(3) == 0 ? ((char)random.Next(0x20, 0x7F)).ToString() : char.ConvertFromUtf32(pool[random.Next(pool.Length)])));

        var wallets = new List<(byte[] Entropy, string Passphrase, KeyPath[] Paths)>();
        for (var i = 0; i < 60; i++)
        {
            var entropy = new byte[4 * random.Next(4, 9)];
            random.NextBytes(entropy);
            var paths = Enumerable.Range(0, 3).Select(_ => KeyPath.FromIndexes(
                Enumerable.Range(0, random.Next(0, 6)).Select(_ => (uint)random.NextInt64(0, 1L << 32)).ToArray())).ToArray();
            wallets.Add((entropy, i % 4 == 0 ? "" : RandomText(12), paths));
        }
        var mnemonics = new List<string>();
        foreach (var (entropy, _, _) in wallets.Take(40))
        {
            using var m = Mnemonic.FromEntropy(entropy);
            var words = Enumerable.Range(0, m.WordCount).Select(m.GetWord).ToArray();
            words[random.Next(words.Length)] = Bip39Wordlist.English[random.Next(Bip39Wordlist.Size)];
            mnemonics.Add(string.Join(' ', words));
        }
        var strings = Enumerable.Range(0, 3000).Select(_ => RandomText(8)).ToList();

        var request = JsonSerializer.Serialize(new
        {
            wallets = wallets.Select(w => new { entropy = Convert.ToHexStringLower(w.Entropy), passphrase = w.Passphrase, paths = w.Paths.Select(p => p.ToString()) }),
            mnemonics,
            strings,
        });
        using var response = JsonDocument.Parse(Node.Run("tests/crosscheck/hd", "crosscheck.mjs", request));
        var answers = response.RootElement;

        var w = 0;
        foreach (var wallet in answers.GetProperty("wallets").EnumerateArray())
        {
            var (entropy, passphrase, paths) = wallets[w++];
            using var mnemonic = Mnemonic.FromEntropy(entropy);
            Assert.Equal(wallet.Str("mnemonic"), string.Join(' ', Enumerable.Range(0, mnemonic.WordCount).Select(mnemonic.GetWord)));
            using var seed = mnemonic.ToSeed(passphrase);
            Assert.Equal(wallet.Str("seed"), Convert.ToHexStringLower(seed.Span));
            using var master = ExtendedPrivateKey.FromSeed(seed.Span);
            var k = 0;
            foreach (var key in wallet.Items("keys"))
            {
                using var derived = master.Derive(paths[k++]);
                Assert.Equal(key.Str("xprv"), derived.ToBase58(ExtendedKeyVersion.Xpub));
                Assert.Equal(key.Str("xpub"), derived.Neuter().ToBase58(ExtendedKeyVersion.Xpub));
            }
        }
        Assert.Equal(wallets.Count, w);

        var verdicts = answers.GetProperty("validity").EnumerateArray().Select(v => v.GetBoolean()).ToList();
        for (var i = 0; i < mnemonics.Count; i++)
        {
            bool ours;
            try { Mnemonic.Parse(mnemonics[i]).Dispose(); ours = true; }
            catch (InvalidInputException) { ours = false; }
            Assert.Equal(verdicts[i], ours);
        }
        Assert.Contains(false, verdicts);

        var i2 = 0;
        foreach (var nfkd in answers.GetProperty("nfkd").EnumerateArray())
        {
            var ours = Nfkd.ToChars(strings[i2], "test");
            Assert.True(nfkd.GetString() == new string(ours), $"NFKD differs for {Escape(strings[i2])}");
            i2++;
        }
        Assert.Equal(strings.Count, i2);
    }

    // Code points our table knows (assigned by Unicode 14, with a decomposition or a combining
    // class) plus Hangul syllables: Unicode's stability policy fixes their NFKD in every later
    // version, so the engine's newer Unicode must agree on them.
    private static int[] NormalisationPool()
    {
        using var stream = typeof(Mnemonic).Assembly.GetManifestResourceStream("Custody.Core.Hd.Bip39.nfkd.txt")!;
        using var reader = new StreamReader(stream);
        var pool = new List<int> { 0xAC00, 0xAC01, 0xD7A3, 0xB155, 0x3000, 0xA0 };
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            if (parts[0] == "D") pool.Add(int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            else if (parts[0] == "C")
            {
                var first = int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                var last = int.Parse(parts[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                for (var cp = first; cp <= last; cp++) pool.Add(cp);
            }
        }
        return [.. pool];
    }

    private static string Escape(string s) => string.Join(" ", s.EnumerateRunes().Select(r => r.Value.ToString("X4", CultureInfo.InvariantCulture)));
}
