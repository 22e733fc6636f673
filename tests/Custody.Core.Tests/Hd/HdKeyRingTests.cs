using System.Security.Cryptography;
using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip39;

namespace Custody.Core.Tests.Hd;

public class HdKeyRingTests
{
    private const string Abandon = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    private static HdKeyRing Ring(KeyCurve curve, string sentence = Abandon)
    {
        using var mnemonic = Mnemonic.Parse(sentence);
        using var seed = mnemonic.ToSeed("");
        return new HdKeyRing(seed, curve);
    }

    [Fact]
    public void Master_fingerprint_is_the_BIP32_one_for_secp256k1()
    {
        using var ring = Ring(KeyCurve.Secp256k1);
        Assert.Equal(0x73c5da0au, ring.MasterFingerprint); // the abandon…about master, as every PSBT tool prints it
        Assert.Equal(KeyCurve.Secp256k1, ring.Curve);
        Assert.Equal("HdKeyRing(Secp256k1, master 73c5da0a)", ring.ToString());
    }

    [Fact]
    public void Master_fingerprint_is_the_SLIP10_one_for_ed25519()
    {
        // SLIP-10 ed25519 vector 1: the parent fingerprint of m/0H is the master's.
        using var seed = SecretBytes.CopyFrom(Convert.FromHexString("000102030405060708090a0b0c0d0e0f"));
        using var ring = new HdKeyRing(seed, KeyCurve.Ed25519);
        Assert.Equal(0xddebc675u, ring.MasterFingerprint);
    }

    [Fact]
    public void ECDSA_signatures_verify_under_the_path_public_key()
    {
        using var ring = Ring(KeyCurve.Secp256k1);
        var path = KeyPath.Parse("m/84'/0'/0'/0/0");
        var pub = ring.GetPublicKey(path);
        Assert.Equal("0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c", Convert.ToHexStringLower(pub)); // BIP84
        var digest = SHA256.HashData("custody"u8);
        var signature = ring.SignEcdsa(path, digest);
        Assert.True(Secp256k1.Verify(pub, digest, signature.ToCompact()));
        Assert.Equal(pub, Secp256k1.Recover(digest, signature.ToCompact(), signature.RecoveryId));
        Assert.Equal(signature.ToCompact(), ring.SignEcdsa(path, digest).ToCompact()); // RFC 6979: deterministic
        Assert.False(Secp256k1.Verify(ring.GetPublicKey(KeyPath.Parse("m/84'/0'/0'/0/1")), digest, signature.ToCompact()));
    }

    [Fact]
    public void Taproot_signatures_verify_under_the_BIP86_output_key()
    {
        using var ring = Ring(KeyCurve.Secp256k1);
        var path = KeyPath.Parse("m/86'/0'/0'/0/0");
        var internalKey = ring.GetPublicKey(path)[1..];
        Assert.Equal("cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115", Convert.ToHexStringLower(internalKey)); // BIP86
        var outputKey = Secp256k1.TaprootOutputKey(internalKey, []);
        Assert.Equal("a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c", Convert.ToHexStringLower(outputKey)); // BIP86
        var sighash = SHA256.HashData("sighash"u8);
        var signature = ring.SignTaproot(path, sighash, []);
        Assert.True(Secp256k1.VerifySchnorr(outputKey, sighash, signature));
        Assert.NotEqual(signature, ring.SignTaproot(path, sighash, [])); // fresh aux randomness each time

        var merkleRoot = SHA256.HashData("script tree"u8);
        var scriptPathSig = ring.SignTaproot(path, sighash, merkleRoot);
        Assert.True(Secp256k1.VerifySchnorr(Secp256k1.TaprootOutputKey(internalKey, merkleRoot), sighash, scriptPathSig));

        // A tapscript leaf checks the key itself: the untweaked signature verifies under it, not under the output key.
        var leafSig = ring.SignSchnorr(path, sighash);
        Assert.True(Secp256k1.VerifySchnorr(internalKey, sighash, leafSig));
        Assert.False(Secp256k1.VerifySchnorr(outputKey, sighash, leafSig));
    }

    [Fact]
    public void Ed25519_signatures_verify_and_match_the_Solana_key()
    {
        using var ring = Ring(KeyCurve.Ed25519, "all all all all all all all all all all all all");
        var path = KeyPath.Parse("m/44'/501'/0'/0'");
        var pub = ring.GetPublicKey(path);
        Assert.Equal("00d1699dcb1811b50bb0055f13044463128242e37a463b52f6c97a1f6eef88ad", Convert.ToHexStringLower(pub)); // Trezor fixture
        var message = "a Solana message"u8.ToArray();
        var signature = ring.SignEd25519(path, message);
        Assert.True(Ed25519.Verify(pub, message, signature));
    }

    [Fact]
    public void Wrong_curve_and_normal_ed25519_steps_are_refused()
    {
        using var secp = Ring(KeyCurve.Secp256k1);
        using var ed = Ring(KeyCurve.Ed25519);
        var digest = new byte[32];
        Assert.Throws<InvalidOperationException>(() => secp.SignEd25519(KeyPath.Parse("m/0'"), digest));
        Assert.Throws<InvalidOperationException>(() => ed.SignEcdsa(KeyPath.Parse("m/0'"), digest));
        Assert.Throws<InvalidOperationException>(() => ed.SignTaproot(KeyPath.Parse("m/0'"), digest, []));
        Assert.Throws<InvalidOperationException>(() => ed.SignSchnorr(KeyPath.Parse("m/0'"), digest));
        var e = Assert.Throws<InvalidInputException>(() => ed.GetPublicKey(KeyPath.Parse("m/44'/501'/0'/0")));
        Assert.Equal("ed25519 (SLIP-10) supports hardened steps only: level 4 is normal", e.Reason);
        Assert.Throws<InvalidInputException>(() => ed.SignEd25519(KeyPath.Parse("m/0"), digest));
    }

    [Fact]
    public void Dispose_ends_the_ring()
    {
        var ring = Ring(KeyCurve.Secp256k1);
        ring.GetPublicKey(KeyPath.Parse("m/84'/0'/0'/0/0"));
        ring.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ring.GetPublicKey(KeyPath.Parse("m/84'/0'/0'/0/0")));
        ring.Dispose(); // idempotent
    }
}
