using Custody.Cli.SelfCheck;
using Custody.Hsm.Keys;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace Custody.Hsm.Tests;

/// <summary>The arithmetic that shapes HSM output, checked against BouncyCastle without an HSM.</summary>
public class Secp256k1MathTests
{
    private static readonly ECDomainParameters Domain = new(IndependentVerifier.Secp256k1.Curve, IndependentVerifier.Secp256k1.G,
        IndependentVerifier.Secp256k1.N, IndependentVerifier.Secp256k1.H);

    [Fact]
    public void High_S_is_flipped_to_n_minus_S_and_still_verifies_and_low_S_is_kept()
    {
        var random = new SecureRandom(new Org.BouncyCastle.Crypto.Prng.DigestRandomGenerator(new Sha256Digest()));
        random.SetSeed(42);
        for (var i = 0; i < 50; i++)
        {
            var priv = new BigInteger(256, random).Mod(Domain.N.Subtract(BigInteger.One)).Add(BigInteger.One);
            var pub = Domain.G.Multiply(priv).Normalize().GetEncoded(true);
            var digest = new byte[32];
            random.NextBytes(digest);
            var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
            signer.Init(true, new ECPrivateKeyParameters(priv, Domain));
            var rs = signer.GenerateSignature(digest);
            var low = rs[1].CompareTo(Domain.N.ShiftRight(1)) <= 0 ? rs[1] : Domain.N.Subtract(rs[1]);
            var high = Domain.N.Subtract(low);

            var expected = Compact(rs[0], low);
            Assert.Equal(expected, Secp256k1Math.NormalizeLowS(Compact(rs[0], high)));
            Assert.Equal(expected, Secp256k1Math.NormalizeLowS(expected));
            Assert.True(IndependentVerifier.VerifySecp256k1(pub, digest, expected));
        }
    }

    [Fact]
    public void Out_of_range_signatures_are_refused()
    {
        var n = IndependentVerifier.Secp256k1.N.ToByteArrayUnsigned();
        Assert.Throws<FormatException>(() => Secp256k1Math.NormalizeLowS(new byte[64]));
        Assert.Throws<FormatException>(() => Secp256k1Math.NormalizeLowS([.. n, .. new byte[31], 1]));
        Assert.Throws<FormatException>(() => Secp256k1Math.NormalizeLowS(new byte[63]));
    }

    [Fact]
    public void EC_points_are_read_wrapped_or_bare_and_checked_to_be_on_the_curve()
    {
        var point = Domain.G.Multiply(BigInteger.ValueOf(123456789)).Normalize();
        var uncompressed = point.GetEncoded(false);
        var compressed = point.GetEncoded(true);
        Assert.Equal(compressed, EcPointCodec.Secp256k1PublicKey([0x04, 65, .. uncompressed]));
        Assert.Equal(compressed, EcPointCodec.Secp256k1PublicKey(uncompressed));

        var offCurve = (byte[])uncompressed.Clone();
        offCurve[64] ^= 1;
        Assert.Throws<FormatException>(() => EcPointCodec.Secp256k1PublicKey(offCurve));
        Assert.Throws<FormatException>(() => EcPointCodec.Secp256k1PublicKey(compressed));
        Assert.Throws<FormatException>(() => EcPointCodec.Secp256k1PublicKey([0x04, 66, .. uncompressed]));

        var ed = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        Assert.Equal(ed, EcPointCodec.Ed25519PublicKey([0x04, 32, .. ed]));
        Assert.Equal(ed, EcPointCodec.Ed25519PublicKey(ed));
        Assert.Throws<FormatException>(() => EcPointCodec.Ed25519PublicKey([0x04, 31, .. ed]));
    }

    private static byte[] Compact(BigInteger r, BigInteger s) => [.. r.ToByteArrayUnsigned().PadLeft(), .. s.ToByteArrayUnsigned().PadLeft()];
}

internal static class PadExtensions
{
    public static byte[] PadLeft(this byte[] value) => [.. new byte[32 - value.Length], .. value];
}
