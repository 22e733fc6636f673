using System.Text;
using Custody.Core.Crypto;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace Custody.Core.Tests.Crypto;

public class Secp256k1Tests
{
    public static TheoryData<int> Rfc6979Indexes() => [.. Enumerable.Range(0, VectorFile.Json("rfc6979-secp256k1.json").GetProperty("vectors").GetArrayLength())];

    // RFC 6979 deterministic nonces on secp256k1 (the Trezor / btcd set): exact r, low s, DER.
    [Theory]
    [MemberData(nameof(Rfc6979Indexes))]
    public void Rfc6979_signatures_match_byte_for_byte(int index)
    {
        var v = VectorFile.Json("rfc6979-secp256k1.json").GetProperty("vectors")[index];
        var key = VectorFile.Hex(v.GetProperty("private_key").GetString()!);
        var digest = Hashes.Sha256(Encoding.UTF8.GetBytes(v.GetProperty("message_utf8").GetString()!));
        Assert.Equal(v.GetProperty("message_sha256").GetString(), VectorFile.ToHex(digest));

        var sig = Secp256k1.Sign(key, digest);

        Assert.Equal(v.GetProperty("r").GetString(), VectorFile.ToHex(sig.R));
        Assert.Equal(v.GetProperty("s_low").GetString(), VectorFile.ToHex(sig.S));
        Assert.Equal(v.GetProperty("der_signature").GetString(), VectorFile.ToHex(sig.ToDer()));
        Assert.Equal(v.GetProperty("public_key_compressed").GetString(), VectorFile.ToHex(Secp256k1.GetPublicKey(key)));
        var pub = Secp256k1.GetPublicKey(key);
        Assert.True(Secp256k1.Verify(pub, digest, sig.ToCompact()));
        Assert.Equal(pub, Secp256k1.Recover(digest, sig.ToCompact(), sig.RecoveryId));
        Assert.Equal(sig.ToCompact(), EcdsaSignature.FromDer(sig.ToDer()).ToCompact());
    }

    [Fact]
    public void Signatures_verify_with_an_independent_implementation()
    {
        var curve = SecNamedCurves.GetByName("secp256k1");
        var domain = new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
        var random = new Random(6979);
        for (var i = 0; i < 50; i++)
        {
            var key = RandomKey(random);
            var digest = new byte[32];
            random.NextBytes(digest);
            var sig = Secp256k1.Sign(key, digest);
            var point = domain.Curve.DecodePoint(Secp256k1.GetPublicKey(key));
            var verifier = new ECDsaSigner();
            verifier.Init(false, new ECPublicKeyParameters(point, domain));
            Assert.True(verifier.VerifySignature(digest, new BigInteger(1, sig.R.ToArray()), new BigInteger(1, sig.S.ToArray())));
            Assert.True(new BigInteger(1, sig.S.ToArray()).CompareTo(curve.N.ShiftRight(1)) <= 0, "S must be low");
        }
    }

    [Fact]
    public void A_high_s_signature_is_normalised_and_gets_its_recovery_id()
    {
        var curve = SecNamedCurves.GetByName("secp256k1");
        var random = new Random(2);
        for (var i = 0; i < 20; i++)
        {
            var key = RandomKey(random);
            var pub = Secp256k1.GetPublicKey(key);
            var digest = Hashes.Sha256([(byte)i]);
            var low = Secp256k1.Sign(key, digest);
            var highS = curve.N.Subtract(new BigInteger(1, low.S.ToArray())).ToByteArrayUnsigned();
            var raw = new byte[64];
            low.R.CopyTo(raw);
            highS.CopyTo(raw.AsSpan(64 - highS.Length));

            Assert.False(Secp256k1.Verify(pub, digest, raw)); // high S is refused as such
            var fixedUp = Secp256k1.FromRawSignature(pub, digest, raw);
            Assert.Equal(low.ToCompact(), fixedUp.ToCompact());
            Assert.Equal(low.RecoveryId, fixedUp.RecoveryId);
        }
    }

    [Fact]
    public void A_raw_signature_by_another_key_or_over_another_digest_is_refused()
    {
        var random = new Random(3);
        var key = RandomKey(random);
        var other = RandomKey(random);
        var digest = Hashes.Sha256("signed"u8);
        var raw = Secp256k1.Sign(key, digest).ToCompact();
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => Secp256k1.FromRawSignature(Secp256k1.GetPublicKey(other), digest, raw));
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => Secp256k1.FromRawSignature(Secp256k1.GetPublicKey(key), Hashes.Sha256("other"u8), raw));
        Assert.Equal(raw, Secp256k1.FromRawSignature(Secp256k1.GetPublicKey(key), digest, raw).ToCompact());
    }

    [Fact]
    public void Invalid_keys_and_tweaks_are_refused()
    {
        var order = Convert.FromHexString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");
        Assert.False(Secp256k1.IsValidPrivateKey(new byte[32]));
        Assert.False(Secp256k1.IsValidPrivateKey(order));
        Assert.False(Secp256k1.IsValidPrivateKey(new byte[31]));
        Assert.Throws<ArgumentException>(() => Secp256k1.GetPublicKey(order));
        var one = new byte[32];
        one[31] = 1;
        Assert.True(Secp256k1.IsValidPrivateKey(one));
        var result = new byte[32];
        Assert.False(Secp256k1.TryAddPrivateKeyTweak(one, order, result));
        Assert.False(Secp256k1.IsValidPublicKey(new byte[33]));
        Assert.Throws<InvalidInputException>(() => Secp256k1.CompressPublicKey(new byte[] { 2, 1, 2 }));
    }

    [Fact]
    public void Public_tweak_equals_private_tweak()
    {
        var random = new Random(32);
        for (var i = 0; i < 50; i++)
        {
            var key = RandomKey(random);
            var tweak = RandomKey(random);
            var sum = new byte[32];
            Assert.True(Secp256k1.TryAddPrivateKeyTweak(key, tweak, sum));
            Assert.True(Secp256k1.TryAddPublicKeyTweak(Secp256k1.GetPublicKey(key), tweak, out var pubSum));
            Assert.Equal(Secp256k1.GetPublicKey(sum), pubSum);
            Assert.Equal(Secp256k1.GetPublicKey(key, compressed: false), Secp256k1.DecompressPublicKey(Secp256k1.GetPublicKey(key)));
        }
    }

    internal static byte[] RandomKey(Random random)
    {
        var key = new byte[32];
        do random.NextBytes(key); while (!Secp256k1.IsValidPrivateKey(key));
        return key;
    }
}
