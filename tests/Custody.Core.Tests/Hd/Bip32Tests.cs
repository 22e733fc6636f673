using System.Text.Json;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.Core.Hd.Bip39;

namespace Custody.Core.Tests.Hd;

/// <summary>BIP32 test vectors 1–5 (bitcoin/bips bip-0032.mediawiki) and the BIP39 → xprv reference vectors.</summary>
public class Bip32Tests
{
    private static readonly JsonElement Vectors = VectorFile.Json("bip32-vectors.json");

    public static TheoryData<string, string, string, string> Chains()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var vector in Vectors.Items("vectors"))
            foreach (var chain in vector.Items("chains"))
                data.Add(vector.Str("seed_hex"), chain.Str("path"), chain.Str("xpub"), chain.Str("xprv"));
        return data;
    }

    [Theory]
    [MemberData(nameof(Chains))]
    public void Vectors_1_to_4_derive_serialise_and_parse(string seedHex, string pathText, string xpub, string xprv)
    {
        var path = KeyPath.Parse(pathText);
        using var master = ExtendedPrivateKey.FromSeed(Convert.FromHexString(seedHex));
        using var key = master.Derive(path);
        Assert.Equal(xprv, key.ToBase58(ExtendedKeyVersion.Xpub));
        Assert.Equal(xprv, key.ToBase58(BitcoinNetwork.Mainnet));
        Assert.Equal(xpub, key.Neuter().ToBase58(ExtendedKeyVersion.Xpub));
        Assert.Equal(path.Depth, key.Depth);
        Assert.Equal(path.Last ?? 0, key.ChildNumber);

        using var parsed = ExtendedPrivateKey.Parse(xprv, out var version);
        Assert.Same(ExtendedKeyVersion.Xpub, version);
        Assert.Equal(key.PrivateKey.ToArray(), parsed.PrivateKey.ToArray());
        Assert.Equal(key.ChainCode.ToArray(), parsed.ChainCode.ToArray());
        Assert.Equal(key.ParentFingerprint, parsed.ParentFingerprint);
        Assert.Equal(xprv, parsed.ToBase58(ExtendedKeyVersion.Xpub));

        var parsedPublic = ExtendedPublicKey.Parse(xpub);
        Assert.Equal(key.Neuter(), parsedPublic);
        Assert.Equal(xpub, parsedPublic.ToBase58(BitcoinNetwork.Mainnet));

        // A normal last step can also be taken from the parent's xpub (CKDpub).
        if (path.Last is { } last && !KeyPath.IsHardenedIndex(last))
        {
            using var parent = master.Derive(path.Parent());
            Assert.Equal(xpub, parent.Neuter().Derive(last).ToBase58(ExtendedKeyVersion.Xpub));
        }
    }

    [Fact]
    public void All_four_valid_vectors_and_sixteen_invalid_keys_are_present()
    {
        Assert.Equal(4, Vectors.Items("vectors").Count());
        Assert.Equal(17, Vectors.Items("vectors").Sum(v => v.Items("chains").Count()));
        Assert.Equal(16, Vectors.Items("invalid_extended_keys").Count());
    }

    public static TheoryData<string, string> InvalidKeys()
    {
        var data = new TheoryData<string, string>();
        foreach (var v in Vectors.Items("invalid_extended_keys")) data.Add(v.Str("key"), v.Str("reason"));
        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public void Vector_5_invalid_keys_are_rejected_with_their_reason(string key, string reason)
    {
        var expected = reason switch
        {
            "pubkey version / prvkey mismatch" => "key data is a private key (0x00 prefix)",
            "prvkey version / pubkey mismatch" => "not 0x00 (a private key)",
            "invalid pubkey prefix 04" => "public key prefix 0x04 is not 0x02 or 0x03",
            "invalid prvkey prefix 04" => "starts with 0x04, not 0x00",
            "invalid pubkey prefix 01" => "public key prefix 0x01 is not 0x02 or 0x03",
            "invalid prvkey prefix 01" => "starts with 0x01, not 0x00",
            "zero depth with non-zero parent fingerprint" => "depth 0 (a master key) with a non-zero parent fingerprint",
            "zero depth with non-zero index" => "depth 0 (a master key) with a non-zero child number",
            "unknown extended key version" => "unknown version bytes",
            "private key 0 not in 1..n-1" or "private key n not in 1..n-1" => "private key is 0 or not below the curve order n",
            "invalid checksum" => "checksum",
            _ when reason.StartsWith("invalid pubkey 02", StringComparison.Ordinal) => "public key is not a point on secp256k1",
            _ => throw new InvalidOperationException("unmapped reason " + reason),
        };
        // The parser of the kind the text claims gives the precise reason; the other kind must refuse too.
        var claimsPrivate = key[1..4] == "prv";
        var precise = Assert.Throws<InvalidInputException>(() => Parse(key, claimsPrivate));
        Assert.Equal("extendedKey", precise.Field);
        Assert.Contains(expected, precise.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key[4..20], precise.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidInputException>(() => Parse(key, !claimsPrivate));
    }

    private static void Parse(string key, bool asPrivate)
    {
        if (asPrivate) ExtendedPrivateKey.Parse(key).Dispose();
        else ExtendedPublicKey.Parse(key);
    }

    [Fact]
    public void A_key_of_the_other_kind_is_refused_by_name()
    {
        var xpub = Vectors.Items("vectors").First().Items("chains").First().Str("xpub");
        var xprv = Vectors.Items("vectors").First().Items("chains").First().Str("xprv");
        Assert.Contains("is a public key (xpub)", Assert.Throws<InvalidInputException>(() => ExtendedPrivateKey.Parse(xpub)).Message, StringComparison.Ordinal);
        Assert.Contains("is a private key (xprv)", Assert.Throws<InvalidInputException>(() => ExtendedPublicKey.Parse(xprv)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_and_truncated_text_is_refused_cleanly()
    {
        var random = new Random(32);
        var xprv = Vectors.Items("vectors").First().Items("chains").Last().Str("xprv");
        const string alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl+/ ";
        for (var i = 0; i < 500; i++)
        {
            var text = i % 2 == 0
                ? xprv[..random.Next(xprv.Length)]
                : new string(Enumerable.Range(0, random.Next(0, 120)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            Assert.Throws<InvalidInputException>(() => ExtendedPrivateKey.Parse(text).Dispose());
            Assert.Throws<InvalidInputException>(() => ExtendedPublicKey.Parse(text));
        }
        // A valid 78-byte payload with any one byte of depth/fingerprint/key changed is refused or parsed, never crashes.
        var payload = Base58.DecodeCheck(xprv);
        for (var i = 0; i < 300; i++)
        {
            var changed = (byte[])payload.Clone();
            changed[random.Next(changed.Length)] ^= (byte)(1 << random.Next(8));
            try { ExtendedPrivateKey.Parse(Base58.EncodeCheck(changed)).Dispose(); }
            catch (InvalidInputException) { }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(65)]
    public void A_seed_outside_16_to_64_bytes_is_refused(int length)
    {
        var e = Assert.Throws<InvalidInputException>(() => ExtendedPrivateKey.FromSeed(new byte[length]));
        Assert.Equal("seed", e.Field);
        Assert.Contains("16 to 64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Public_keys_derive_normal_steps_only()
    {
        using var master = ExtendedPrivateKey.FromSeed(new byte[16]);
        var e = Assert.Throws<InvalidInputException>(() => master.Neuter().Derive(KeyPath.Parse("m/0/1'")));
        Assert.Equal("path", e.Field);
        Assert.Contains("hardened step 1'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Public_derivation_equals_private_then_public_for_random_normal_paths()
    {
        var random = new Random(321);
        for (var n = 0; n < 40; n++)
        {
            var seed = new byte[random.Next(16, 65)];
            random.NextBytes(seed);
            using var master = ExtendedPrivateKey.FromSeed(seed);
            var hardenedPrefix = KeyPath.Root;
            for (var i = random.Next(0, 3); i > 0; i--) hardenedPrefix = hardenedPrefix.Hardened((uint)random.Next());
            var tail = KeyPath.Root;
            for (var i = random.Next(1, 5); i > 0; i--) tail = tail.Child((uint)random.Next() & ~KeyPath.HardenedBit);
            using var account = master.Derive(hardenedPrefix);
            using var viaPrivate = account.Derive(tail);
            Assert.Equal(viaPrivate.Neuter(), account.Neuter().Derive(tail));
        }
    }

    [Fact]
    public void Keys_hide_their_secret_in_ToString_and_refuse_use_after_dispose()
    {
        var key = ExtendedPrivateKey.FromSeed(Convert.FromHexString("000102030405060708090a0b0c0d0e0f"));
        var hex = Convert.ToHexStringLower(key.PrivateKey);
        Assert.DoesNotContain(hex[..8], key.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ExtendedPrivateKey(depth 0, parent 00000000, child 0)", key.ToString());
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.PrivateKey.ToArray());
        Assert.Throws<ObjectDisposedException>(() => key.Derive(0).Dispose());
    }

    [Fact]
    public void Fingerprint_prints_and_parses_as_eight_hex_digits()
    {
        using var master = ExtendedPrivateKey.FromSeed(Convert.FromHexString("000102030405060708090a0b0c0d0e0f"));
        Assert.Equal("3442193e", master.Fingerprint.ToString()); // SLIP-10 vector 1: parent of m/0H
        Assert.Equal(master.Fingerprint, HdFingerprint.Parse("3442193E"));
        Assert.False(HdFingerprint.TryParse("3442193", out _));
        Assert.False(HdFingerprint.TryParse("0x442193", out _));
        Assert.Throws<InvalidInputException>(() => HdFingerprint.Parse("zzzzzzzz"));
    }

    public static TheoryData<string, string> MnemonicToXprv()
    {
        var data = new TheoryData<string, string>();
        foreach (var v in VectorFile.Json("bip39-vectors.json").Items("english")) data.Add(v.Str("mnemonic"), v.Str("xprv"));
        return data;
    }

    [Theory]
    [MemberData(nameof(MnemonicToXprv))]
    public void BIP39_reference_vectors_give_their_master_xprv(string sentence, string xprv)
    {
        using var mnemonic = Mnemonic.Parse(sentence);
        using var seed = mnemonic.ToSeed("TREZOR");
        using var master = ExtendedPrivateKey.FromSeed(seed.Span);
        Assert.Equal(xprv, master.ToBase58(ExtendedKeyVersion.Xpub));
    }
}
