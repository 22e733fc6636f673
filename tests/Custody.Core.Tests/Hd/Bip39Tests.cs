using System.Text.Json;
using Custody.Core.Hd.Bip39;

namespace Custody.Core.Tests.Hd;

/// <summary>BIP39 against the reference vectors of trezor/python-mnemonic (English, passphrase "TREZOR").</summary>
public class Bip39Tests
{
    private static readonly JsonElement Vectors = VectorFile.Json("bip39-vectors.json");

    public static TheoryData<string, string, string> English()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var v in Vectors.Items("english")) data.Add(v.Str("entropy"), v.Str("mnemonic"), v.Str("seed"));
        return data;
    }

    [Theory]
    [MemberData(nameof(English))]
    public void Entropy_gives_the_mnemonic_and_the_mnemonic_gives_entropy_and_seed(string entropyHex, string sentence, string seedHex)
    {
        using var fromEntropy = Mnemonic.FromEntropy(Convert.FromHexString(entropyHex));
        Assert.Equal(sentence, string.Join(' ', Enumerable.Range(0, fromEntropy.WordCount).Select(fromEntropy.GetWord)));

        using var parsed = Mnemonic.Parse(sentence);
        using var entropy = parsed.ToEntropy();
        Assert.Equal(entropyHex, Convert.ToHexStringLower(entropy.Span));
        using var seed = parsed.ToSeed("TREZOR");
        Assert.Equal(seedHex, Convert.ToHexStringLower(seed.Span));
    }

    [Fact]
    public void All_24_English_vectors_are_present() => Assert.Equal(24, Vectors.Items("english").Count());

    [Fact]
    public void The_embedded_word_list_is_the_BIP39_English_list()
    {
        var words = Bip39Wordlist.English;
        Assert.Equal("abandon", words[0]);
        Assert.Equal("zoo", words[2047]);
        Assert.True(words.TryGetIndex("about", out var about));
        Assert.Equal(3, about);
        // sha256 of bitcoin/bips bip-0039/english.txt, one word per line with a trailing newline
        var text = string.Concat(Enumerable.Range(0, Bip39Wordlist.Size).Select(i => words[i] + "\n"));
        Assert.Equal("2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda",
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(text))));
    }

    [Fact]
    public void Spacing_case_and_compatibility_forms_parse_to_the_same_seed()
    {
        const string canonical = "legal winner thank year wave sausage worth useful legal winner thank yellow";
        using var expected = Mnemonic.Parse(canonical).ToSeed("TREZOR");
        string[] variants =
        [
            "  legal winner\tthank year\r\nwave sausage worth useful legal winner thank yellow\n",
            "Legal Winner THANK year wave sausage worth useful legal winner thank yellow",
            "legal\u3000winner\u00A0thank year wave sausage worth useful legal winner thank ｙｅｌｌｏｗ",
        ];
        foreach (var variant in variants)
        {
            using var seed = Mnemonic.Parse(variant).ToSeed("TREZOR");
            Assert.Equal(expected.Span.ToArray(), seed.Span.ToArray());
        }
    }

    [Theory]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon", "has 11 words")]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon", "has 13 words")]
    [InlineData("", "has 0 words")]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon", "checksum")]
    [InlineData("about abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon", "checksum")]
    [InlineData("abandon abandon abandon abandon abandon abandon zzzsecret abandon abandon abandon abandon about", "word 7 is not in the BIP39 English word list")]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abou", "word 12 is not")]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abouts", "word 12 is not")]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandonment", "word 12 is not")]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abоut", "word 12 is not")] // Cyrillic о
    public void Bad_mnemonics_say_what_is_wrong_without_echoing_words(string text, string reason)
    {
        var e = Assert.Throws<InvalidInputException>(() => Mnemonic.Parse(text));
        Assert.Equal("mnemonic", e.Field);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("zzzsecret", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("abou", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_text_is_refused_before_any_work()
    {
        var e = Assert.Throws<InvalidInputException>(() => Mnemonic.Parse(string.Concat(Enumerable.Repeat("abandon ", 1000))));
        Assert.Contains("longer than 4096 characters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_is_rejected_cleanly()
    {
        var e = Assert.Throws<InvalidInputException>(() => Mnemonic.Parse("abandon \uD800 about"));
        Assert.Equal("mnemonic", e.Field);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(33)]
    [InlineData(64)]
    public void Entropy_of_a_length_BIP39_lacks_is_rejected(int length)
    {
        var e = Assert.Throws<InvalidInputException>(() => Mnemonic.FromEntropy(new byte[length]));
        Assert.Equal("entropy", e.Field);
    }

    [Fact]
    public void Random_entropy_round_trips_through_words_for_every_length()
    {
        var random = new Random(39);
        foreach (var length in new[] { 16, 20, 24, 28, 32 })
            for (var i = 0; i < 50; i++)
            {
                var entropy = new byte[length];
                random.NextBytes(entropy);
                using var mnemonic = Mnemonic.FromEntropy(entropy);
                Assert.Equal(length * 3 / 4, mnemonic.WordCount);
                var text = string.Join(' ', Enumerable.Range(0, mnemonic.WordCount).Select(mnemonic.GetWord));
                using var parsed = Mnemonic.Parse(text);
                using var back = parsed.ToEntropy();
                Assert.Equal(entropy, back.Span.ToArray());
            }
    }

    [Fact]
    public void Changing_one_word_is_caught_by_the_checksum_most_of_the_time()
    {
        // A 12-word checksum has 4 bits: about 1 in 16 substitutions still passes, the rest must fail.
        var random = new Random(1);
        var words = Vectors.Items("english").First().Str("mnemonic").Split(' ');
        var failures = 0;
        for (var i = 0; i < 400; i++)
        {
            var changed = (string[])words.Clone();
            changed[random.Next(12)] = Bip39Wordlist.English[random.Next(2048)];
            try { Mnemonic.Parse(string.Join(' ', changed)).Dispose(); }
            catch (InvalidInputException) { failures++; }
        }
        Assert.InRange(failures, 330, 390);
    }

    [Fact]
    public void Disposed_mnemonic_refuses_use_and_hides_its_words()
    {
        var mnemonic = Mnemonic.Parse(Vectors.Items("english").First().Str("mnemonic"));
        Assert.Equal("Mnemonic(12 words)", mnemonic.ToString());
        mnemonic.Dispose();
        Assert.Throws<ObjectDisposedException>(() => mnemonic.GetWord(0));
        Assert.Throws<ObjectDisposedException>(() => mnemonic.ToSeed("").Dispose());
    }

    [Fact]
    public void Sentences_in_other_lists_normalise_through_NFKD()
    {
        foreach (var v in Vectors.Items("other_languages"))
        {
            using var seed = Bip39Seed.FromSentence(v.Str("mnemonic"), "TREZOR");
            Assert.Equal(v.Str("seed"), Convert.ToHexStringLower(seed.Span));
        }
        var cases = Vectors.GetProperty("nfkd_seeds").Items("cases").ToList();
        Assert.Equal(20, cases.Count);
        foreach (var v in cases)
        {
            using var seed = Bip39Seed.FromSentence(v.Str("mnemonic"), v.Str("passphrase"));
            Assert.Equal(v.Str("seed"), Convert.ToHexStringLower(seed.Span));
        }
    }

    [Fact]
    public void Nfkd_matches_the_Unicode_database_on_tricky_strings()
    {
        foreach (var v in Vectors.Items("nfkd_strings"))
        {
            var input = FromCodePoints(v.Str("input"));
            var output = Nfkd.ToChars(input, "test");
            Assert.Equal(FromCodePoints(v.Str("nfkd")), new string(output));
        }
    }

    private static string FromCodePoints(string hex) =>
        string.Concat(hex.Split(' ').Select(h => char.ConvertFromUtf32(Convert.ToInt32(h, 16))));
}
