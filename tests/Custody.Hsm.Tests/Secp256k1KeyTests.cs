using Custody.Cli.SelfCheck;
using System.Security.Cryptography;
using Custody.Core;
using Custody.Core.Chains;

namespace Custody.Hsm.Tests;

[Collection(HsmCollection.Name)]
public class Secp256k1KeyTests(SoftHsmFixture fixture)
{
    [Fact]
    public void Generates_a_key_with_a_valid_compressed_public_key()
    {
        var key = fixture.Hsm.Keys.Generate(KeyCurve.Secp256k1);
        Assert.Equal(KeyCurve.Secp256k1, key.Curve);
        Assert.Equal(33, key.PublicKey.Length);
        Assert.Contains(key.PublicKey[0], new byte[] { 0x02, 0x03 });
        Assert.True(IndependentVerifier.Secp256k1.Curve.DecodePoint(key.PublicKeyBytes()).IsValid());
        Assert.Equal(key.PublicKeyBytes(), fixture.Hsm.Keys.Get(key.Id).PublicKeyBytes());
    }

    [Fact]
    public void Signatures_verify_with_BouncyCastle_and_are_low_S()
    {
        var key = fixture.Hsm.Keys.Generate(KeyCurve.Secp256k1);
        var random = new Random(7);
        for (var i = 0; i < 64; i++)
        {
            var digest = new byte[32];
            random.NextBytes(digest);
            var signature = fixture.Hsm.Keys.SignDigest(key.Id, digest);
            Assert.Equal(64, signature.Length);
            Assert.True(IndependentVerifier.IsLowS(signature), $"signature {i} has a high S");
            Assert.True(IndependentVerifier.VerifySecp256k1(key.PublicKey, digest, signature), $"signature {i} does not verify");
            digest[0] ^= 1;
            Assert.False(IndependentVerifier.VerifySecp256k1(key.PublicKey, digest, signature));
        }
    }

    [Fact]
    public void The_private_key_never_leaves_the_token()
    {
        var key = fixture.Hsm.Keys.Generate(KeyCurve.Secp256k1);
        var protection = fixture.Hsm.KeyStore.DescribePrivateKey(key.Id);
        Assert.True(protection.Token);
        Assert.True(protection.Sensitive);
        Assert.False(protection.Extractable);
        Assert.True(protection.NeverExtractable);
        Assert.True(protection.AlwaysSensitive);
        Assert.True(protection.Local); // generated on the token, not imported
        Assert.False(protection.ValueReadable);
    }

    [Fact]
    public void Bad_requests_get_typed_errors()
    {
        var key = fixture.Hsm.Keys.Generate(KeyCurve.Secp256k1);
        Assert.Equal("digest", Assert.Throws<InvalidInputException>(() => fixture.Hsm.Keys.SignDigest(key.Id, new byte[31])).Field);
        Assert.Equal("digest", Assert.Throws<InvalidInputException>(() => fixture.Hsm.Keys.SignDigest(key.Id, new byte[33])).Field);
        Assert.Equal(HsmError.WrongKeyType, Assert.Throws<HsmException>(() => fixture.Hsm.Keys.SignMessage(key.Id, [1, 2])).Error);
        var unknown = HsmKeyId.FromBytes(RandomNumberGenerator.GetBytes(16));
        var e = Assert.Throws<HsmException>(() => fixture.Hsm.Keys.SignDigest(unknown, new byte[32]));
        Assert.Equal(HsmError.KeyNotFound, e.Error);
        Assert.Contains(unknown.ToString(), e.Message, StringComparison.Ordinal);
    }
}
