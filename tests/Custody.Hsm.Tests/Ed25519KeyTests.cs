using Custody.Cli.SelfCheck;
using Custody.Core.Chains;

namespace Custody.Hsm.Tests;

[Collection(HsmCollection.Name)]
public class Ed25519KeyTests(SoftHsmFixture fixture)
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(1232)] // the largest Solana transaction message
    public void Signatures_verify_with_BouncyCastle(int length)
    {
        var key = fixture.Hsm.Keys.Generate(KeyCurve.Ed25519);
        Assert.Equal(32, key.PublicKey.Length);
        var message = new byte[length];
        new Random(length).NextBytes(message);
        var signature = fixture.Hsm.Keys.SignMessage(key.Id, message);
        Assert.Equal(64, signature.Length);
        Assert.True(IndependentVerifier.VerifyEd25519(key.PublicKey, message, signature));
        Assert.False(IndependentVerifier.VerifyEd25519(key.PublicKey, [.. message, 0], signature));
        Assert.Equal(signature, fixture.Hsm.Keys.SignMessage(key.Id, message)); // EdDSA is deterministic
    }

    [Fact]
    public void The_private_key_never_leaves_the_token_and_cannot_sign_digests()
    {
        var key = fixture.Hsm.Keys.Generate(KeyCurve.Ed25519);
        var protection = fixture.Hsm.KeyStore.DescribePrivateKey(key.Id);
        Assert.True(protection.Sensitive);
        Assert.False(protection.Extractable);
        Assert.True(protection.NeverExtractable);
        Assert.False(protection.ValueReadable);
        Assert.Equal(HsmError.WrongKeyType, Assert.Throws<HsmException>(() => fixture.Hsm.Keys.SignDigest(key.Id, new byte[32])).Error);
    }
}
