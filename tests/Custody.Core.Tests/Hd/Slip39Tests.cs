using System.Text;
using System.Text.Json;
using Custody.Core.Hd.Bip32;
using Custody.Core.Hd.Slip39;

namespace Custody.Core.Tests.Hd;

/// <summary>SLIP-39 against the official vectors (trezor/python-shamir-mnemonic vectors.json, passphrase "TREZOR").</summary>
public class Slip39Tests
{
    private static readonly byte[] Trezor = Encoding.ASCII.GetBytes("TREZOR");

    public static TheoryData<int> VectorNumbers()
    {
        var data = new TheoryData<int>();
        for (var i = 1; i <= Vectors().Count; i++) data.Add(i);
        return data;
    }

    private static List<(string Description, string[] Mnemonics, string Secret, string Xprv)> Vectors() =>
        VectorFile.Json("slip39-vectors.json").EnumerateArray()
            .Select(v => (v[0].GetString()!, v[1].EnumerateArray().Select(m => m.GetString()!).ToArray(), v[2].GetString()!, v[3].GetString()!))
            .ToList();

    [Fact]
    public void The_vector_file_is_the_current_revision_with_45_cases_including_extendable_ones()
    {
        var vectors = Vectors();
        Assert.Equal(45, vectors.Count);
        Assert.Contains(vectors, v => v.Description.Contains("extendable", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(VectorNumbers))]
    public void Official_vector(int number)
    {
        var (description, mnemonics, secretHex, xprv) = Vectors()[number - 1];
        if (secretHex.Length == 0)
        {
            var e = Assert.Throws<InvalidInputException>(() => Slip39.Recover(mnemonics, Trezor));
            Assert.False(string.IsNullOrWhiteSpace(e.Reason), description);
            return;
        }
        using var secret = Slip39.Recover(mnemonics, Trezor);
        Assert.Equal(secretHex, VectorFile.ToHex(secret.Span));
        // The master secret is the BIP32 seed.
        using (var master = ExtendedPrivateKey.FromSeed(secret.Span))
            Assert.Equal(xprv, master.ToBase58(ExtendedKeyVersion.Xpub));
        // Decoding then encoding gives back the very same words.
        foreach (var m in mnemonics)
        {
            using var share = Slip39Share.Parse(m);
            Assert.Equal(m, share.ToMnemonic());
        }
    }

    // The reason each invalid vector is refused, so that a refusal for the wrong reason fails.
    [Theory]
    [InlineData(2, "shares[1]", "checksum")]
    [InlineData(3, "shares[1]", "padding")]
    [InlineData(5, "shares", "1 more share needed (1 of 2 given)")]
    [InlineData(6, "shares[2]", "different backup")]
    [InlineData(7, "shares[2]", "iteration exponent")]
    [InlineData(8, "shares[", "group threshold")]
    [InlineData(9, "shares[2]", "group count")]
    [InlineData(10, "shares[", "greater than the group count")]
    [InlineData(11, "shares[2]", "same member index")]
    [InlineData(12, "shares[2]", "member threshold")]
    [InlineData(13, "shares", "digest mismatch")]
    [InlineData(14, "shares", "required groups complete")]
    [InlineData(15, "shares", "required groups complete")]
    [InlineData(16, "shares", "needs 1 more share")]
    [InlineData(21, "shares[1]", "checksum")]
    [InlineData(22, "shares[1]", "padding")]
    [InlineData(24, "shares", "1 more share needed")]
    [InlineData(25, "shares[2]", "different backup")]
    [InlineData(26, "shares[2]", "iteration exponent")]
    [InlineData(27, "shares[", "group threshold")]
    [InlineData(28, "shares[2]", "group count")]
    [InlineData(29, "shares[", "greater than the group count")]
    [InlineData(30, "shares[2]", "same member index")]
    [InlineData(31, "shares[2]", "member threshold")]
    [InlineData(32, "shares", "digest mismatch")]
    [InlineData(33, "shares", "required groups complete")]
    [InlineData(34, "shares", "required groups complete")]
    [InlineData(35, "shares", "needs 1 more share")]
    [InlineData(39, "shares[1]", "at least 20 words")]
    [InlineData(40, "shares[1]", "not a valid SLIP-39 share length")]
    public void Invalid_vector_is_refused_for_its_reason(int number, string field, string reason)
    {
        var (_, mnemonics, secretHex, _) = Vectors()[number - 1];
        Assert.Empty(secretHex);
        var e = Assert.Throws<InvalidInputException>(() => Slip39.Recover(mnemonics, Trezor));
        Assert.StartsWith(field, e.Field, StringComparison.Ordinal);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_invalid_vector_has_a_reason_test()
    {
        var covered = typeof(Slip39Tests).GetMethod(nameof(Invalid_vector_is_refused_for_its_reason))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (int)a.GetData(null!).First()[0]).ToHashSet();
        var invalid = Vectors().Select((v, i) => (v, Number: i + 1)).Where(p => p.v.Secret.Length == 0).Select(p => p.Number);
        Assert.DoesNotContain(invalid, n => !covered.Contains(n));
    }

    [Fact]
    public void Wrong_passphrase_gives_a_different_secret_not_an_error()
    {
        var (_, mnemonics, secretHex, _) = Vectors()[3];
        using var secret = Slip39.Recover(mnemonics, "WRONG"u8);
        Assert.NotEqual(secretHex, VectorFile.ToHex(secret.Span));
    }

    [Fact]
    public void Passphrase_must_be_printable_ascii()
    {
        var (_, mnemonics, _, _) = Vectors()[0];
        var e = Assert.Throws<InvalidInputException>(() => Slip39.Recover(mnemonics, "caf\u00e9"u8));
        Assert.Equal("passphrase", e.Field);
    }

    [Fact]
    public void Words_are_read_case_insensitively_and_whitespace_is_free()
    {
        var (_, mnemonics, secretHex, _) = Vectors()[0];
        using var secret = Slip39.Recover(["  " + mnemonics[0].ToUpperInvariant().Replace(" ", " \t\n ", StringComparison.Ordinal) + "\n"], Trezor);
        Assert.Equal(secretHex, VectorFile.ToHex(secret.Span));
    }

    [Fact]
    public void An_unknown_word_is_named_by_position_without_echoing_it()
    {
        var words = Vectors()[0].Mnemonics[0].Split(' ');
        words[4] = "notaword";
        var e = Assert.Throws<InvalidInputException>(() => Slip39Share.Parse(string.Join(' ', words), "share"));
        Assert.Equal("share: word 5 is not in the SLIP-39 word list", e.Message);
    }

    [Fact]
    public void Identical_share_twice_is_called_a_duplicate()
    {
        var m = Vectors()[3].Mnemonics[0];
        var e = Assert.Throws<InvalidInputException>(() => Slip39.Recover([m, m], Trezor));
        Assert.Equal("shares[2]", e.Field);
        Assert.Contains("already given as share 1", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_surplus_share_is_used_and_must_agree()
    {
        // All three shares of a 2-of-3 recover too: the surplus one lies on the same polynomial.
        var rng = new Random(7);
        using var secret = new Custody.Core.Crypto.SecretBytes(16);
        rng.NextBytes(secret.WritableSpan);
        var calls = new List<byte[]>();
        var shares = Slip39.Generate(secret.Span, [], 1, [new Slip39Group(2, 3)], n => { calls.Add(Bytes(rng, n)); return calls[^1]; }, iterationExponent: 0)[0];
        var identifier = calls[0]; // the first random draw is the identifier
        using (var all = Slip39.Recover(shares, []))
            Assert.Equal(VectorFile.ToHex(secret.Span), VectorFile.ToHex(all.Span));

        // A third share from another backup with the same identifier is caught by the digest.
        var first = true;
        var other = Slip39.Generate(VectorFile.Hex("00112233445566778899aabbccddeeff"), [], 1, [new Slip39Group(2, 3)],
            n => first && !(first = false) ? identifier : Bytes(rng, n), iterationExponent: 0)[0];
        var e = Assert.Throws<InvalidInputException>(() => Slip39.Recover([shares[0], shares[1], other[2]], []));
        Assert.Contains("digest mismatch", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_split_and_recover_round_trips()
    {
        var rng = new Random(39);
        for (var round = 0; round < 40; round++)
        {
            var length = rng.Next(2) == 0 ? 16 : 32;
            if (round % 10 == 9) length = 2 * rng.Next(8, 33); // any even length up to 64
            var master = Bytes(rng, length);
            var passphrase = Encoding.ASCII.GetBytes(new string('a', rng.Next(0, 5)));
            var groups = Enumerable.Range(0, rng.Next(1, 5)).Select(_ =>
            {
                var count = rng.Next(1, 6);
                var threshold = count == 1 ? 1 : rng.Next(2, count + 1);
                return new Slip39Group(threshold, count);
            }).ToList();
            var groupThreshold = rng.Next(1, groups.Count + 1);
            var extendable = rng.Next(2) == 0;
            var mnemonics = Slip39.Generate(master, passphrase, groupThreshold, groups, n => Bytes(rng, n), iterationExponent: 0, extendable: extendable);

            Assert.Equal(groups.Count, mnemonics.Count);
            for (var g = 0; g < groups.Count; g++) Assert.Equal(groups[g].Count, mnemonics[g].Count);

            // A random threshold subset of groups, each with a random threshold subset of members.
            var chosenGroups = Shuffle(rng, Enumerable.Range(0, groups.Count)).Take(groupThreshold).ToList();
            var chosen = chosenGroups.SelectMany(g => Shuffle(rng, mnemonics[g]).Take(groups[g].Threshold)).ToList();
            chosen = Shuffle(rng, chosen).ToList();
            using (var recovered = Slip39.Recover(chosen, passphrase))
                Assert.Equal(Convert.ToHexString(master), Convert.ToHexString(recovered.Span));

            // One share less is never enough, and the refusal says what is missing.
            var oneLess = chosen.Skip(1).ToList();
            if (oneLess.Count > 0)
            {
                var e = Assert.Throws<InvalidInputException>(() => Slip39.Recover(oneLess, passphrase));
                Assert.Equal("shares", e.Field);
                Assert.Contains("more", e.Reason, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData(0, new[] { 1, 1 })]
    [InlineData(3, new[] { 1, 1 })]
    [InlineData(1, new[] { 3, 2 })]
    [InlineData(1, new[] { 1, 3 })]
    [InlineData(1, new[] { 0, 0 })]
    [InlineData(1, new[] { 2, 17 })]
    public void Bad_plans_are_refused(int groupThreshold, int[] firstGroup)
    {
        var groups = new List<Slip39Group> { new(firstGroup[0], firstGroup[1]), new(1, 1) };
        Assert.Throws<InvalidInputException>(() =>
            Slip39.Generate(new byte[16], [], groupThreshold, groups, n => new byte[n], iterationExponent: 0));
    }

    [Theory]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(66)]
    public void Bad_master_secret_lengths_are_refused(int length)
    {
        var e = Assert.Throws<InvalidInputException>(() =>
            Slip39.Generate(new byte[length], [], 1, [new Slip39Group(1, 1)], n => new byte[n], iterationExponent: 0));
        Assert.Equal("master_secret", e.Field);
    }

    [Fact]
    public void Random_truncated_and_altered_mnemonics_never_crash()
    {
        var rng = new Random(1024);
        var valid = Vectors().Where(v => v.Secret.Length > 0).SelectMany(v => v.Mnemonics).ToList();
        for (var i = 0; i < 3000; i++)
        {
            var words = valid[rng.Next(valid.Count)].Split(' ').ToList();
            string candidate;
            switch (i % 5)
            {
                case 0: // random words of random length
                    candidate = string.Join(' ', Enumerable.Range(0, rng.Next(0, 70)).Select(_ => Slip39WordList.Word(rng.Next(1024))));
                    break;
                case 1: // truncated
                    candidate = string.Join(' ', words.Take(rng.Next(words.Count)));
                    break;
                case 2: // one to three words replaced: RS1024 must catch every such change
                    for (var k = rng.Next(1, 4); k > 0; k--) words[rng.Next(words.Count)] = Slip39WordList.Word(rng.Next(1024));
                    candidate = string.Join(' ', words);
                    break;
                case 3: // random characters
                    candidate = new string(Enumerable.Range(0, rng.Next(0, 400)).Select(_ => (char)rng.Next(0, 0x250)).ToArray());
                    break;
                default: // words dropped or inserted
                    if (rng.Next(2) == 0) words.RemoveAt(rng.Next(words.Count));
                    else words.Insert(rng.Next(words.Count), Slip39WordList.Word(rng.Next(1024)));
                    candidate = string.Join(' ', words);
                    break;
            }
            try
            {
                using var share = Slip39Share.Parse(candidate, "share");
                // Only an unchanged valid mnemonic may parse (replacements that hit the same word).
                Assert.Contains(candidate, valid);
            }
            catch (InvalidInputException e)
            {
                Assert.Equal("share", e.Field);
            }
        }
    }

    [Fact]
    public void Recovery_of_random_share_sets_never_crashes()
    {
        var rng = new Random(4);
        var all = Vectors().SelectMany(v => v.Mnemonics).Distinct().ToList();
        for (var i = 0; i < 200; i++)
        {
            var set = Enumerable.Range(0, rng.Next(0, 6)).Select(_ => all[rng.Next(all.Count)]).ToList();
            try
            {
                using var secret = Slip39.Recover(set, Trezor);
                Assert.True(secret.Length is 16 or 32);
            }
            catch (InvalidInputException)
            {
            }
        }
    }

    [Fact]
    public void Share_ToString_shows_no_secret()
    {
        using var share = Slip39Share.Parse(Vectors()[0].Mnemonics[0]);
        Assert.DoesNotContain("duckling", share.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("Slip39Share(id ", share.ToString(), StringComparison.Ordinal);
    }

    private static byte[] Bytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    private static IEnumerable<T> Shuffle<T>(Random rng, IEnumerable<T> items) => items.OrderBy(_ => rng.Next());
}
