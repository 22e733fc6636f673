using Custody.Core.Crypto;

namespace Custody.Core.Tests.Crypto;

public class Ed25519Tests
{
    // RFC 8032 section 7.1, TEST 1-3.
    [Fact]
    public void Rfc8032_vectors()
    {
        foreach (var v in VectorFile.Json("rfc8032-ed25519.json").GetProperty("vectors").EnumerateArray())
        {
            var seed = VectorFile.Hex(v.GetProperty("secret_key").GetString()!);
            var pub = VectorFile.Hex(v.GetProperty("public_key").GetString()!);
            var msg = VectorFile.Hex(v.GetProperty("message").GetString()!);
            var sig = VectorFile.Hex(v.GetProperty("signature").GetString()!);
            Assert.Equal(pub, Ed25519.GetPublicKey(seed));
            Assert.Equal(sig, Ed25519.Sign(seed, msg));
            Assert.True(Ed25519.Verify(pub, msg, sig));
            sig[5] ^= 1;
            Assert.False(Ed25519.Verify(pub, msg, sig));
            Assert.Equal(v.GetProperty("solana_address").GetString(), Base58.Encode(pub));
        }
    }
}
