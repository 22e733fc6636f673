using System.Text.Json;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.Core.Hd.Slip10;

namespace Custody.Core.Tests.Hd;

/// <summary>SLIP-10 test vectors (satoshilabs/slips slip-0010.md) for ed25519 and secp256k1.</summary>
public class Slip10Tests
{
    private static readonly JsonElement Vectors = VectorFile.Json("slip10-vectors.json");

    public static TheoryData<string, string, string, string, string, string, string> Chains()
    {
        var data = new TheoryData<string, string, string, string, string, string, string>();
        foreach (var vector in Vectors.Items("vectors"))
            foreach (var c in vector.Items("chains"))
                data.Add(vector.Str("curve"), vector.Str("seed_hex"), c.Str("path"), c.Str("fingerprint"),
                    c.Str("chain_code"), c.Str("private"), c.Str("public"));
        return data;
    }

    [Fact]
    public void Both_curves_have_two_vectors_of_six_steps()
    {
        Assert.Equal(24, Chains().Count);
    }

    [Theory]
    [MemberData(nameof(Chains))]
    public void Vectors_derive(string curve, string seedHex, string pathText, string parentFingerprint, string chainCode, string privateKey, string publicKey)
    {
        var seed = Convert.FromHexString(seedHex);
        var path = KeyPath.Parse(pathText);
        if (curve == "ed25519")
        {
            using var master = Ed25519ExtendedKey.FromSeed(seed);
            using var key = master.Derive(path);
            Assert.Equal(parentFingerprint, key.ParentFingerprint.ToString());
            Assert.Equal(chainCode, Convert.ToHexStringLower(key.ChainCode));
            Assert.Equal(privateKey, Convert.ToHexStringLower(key.PrivateKey));
            Assert.Equal(publicKey, "00" + Convert.ToHexStringLower(key.PublicKey));
        }
        else
        {
            Assert.Equal("secp256k1", curve);
            using var master = ExtendedPrivateKey.FromSeed(seed);
            using var key = master.Derive(path);
            Assert.Equal(parentFingerprint, key.ParentFingerprint.ToString());
            Assert.Equal(chainCode, Convert.ToHexStringLower(key.ChainCode));
            Assert.Equal(privateKey, Convert.ToHexStringLower(key.PrivateKey));
            Assert.Equal(publicKey, Convert.ToHexStringLower(key.PublicKey));
        }
    }

    [Theory]
    [InlineData("m/0", 1)]
    [InlineData("m/44'/501'/0'/0", 4)]
    [InlineData("m/44'/501'/0/0'", 3)]
    public void A_normal_step_on_ed25519_names_its_level(string path, int level)
    {
        using var master = Ed25519ExtendedKey.FromSeed(new byte[32]);
        var e = Assert.Throws<InvalidInputException>(() => master.Derive(KeyPath.Parse(path)).Dispose());
        Assert.Equal("path", e.Field);
        Assert.Equal($"ed25519 (SLIP-10) supports hardened steps only: level {level} is normal", e.Reason);
        Assert.Throws<InvalidInputException>(() => master.Derive(5u).Dispose());
    }

    [Fact]
    public void Trezor_all_mnemonic_gives_the_Solana_public_keys()
    {
        var trezor = VectorFile.Json("trezor-all-mnemonic-addresses.json");
        using var mnemonic = Custody.Core.Hd.Bip39.Mnemonic.Parse(trezor.Str("mnemonic"));
        using var seed = mnemonic.ToSeed(trezor.Str("passphrase"));
        using var master = Ed25519ExtendedKey.FromSeed(seed.Span);
        var count = 0;
        foreach (var v in trezor.Items("solana"))
        {
            using var key = master.Derive(KeyPath.Parse(v.Str("path")));
            Assert.Equal(v.Str("public_key_hex"), Convert.ToHexStringLower(key.PublicKey));
            count++;
        }
        Assert.Equal(4, count);
    }
}
