using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace Custody.Cli.SelfCheck;

/// <summary>BouncyCastle checks the HSM's signatures: code that shares nothing with the HSM or libsecp256k1.</summary>
public static class IndependentVerifier
{
    public static readonly X9ECParameters Secp256k1 = ECNamedCurveTable.GetByName("secp256k1");
    private static readonly ECDomainParameters Domain = new(Secp256k1.Curve, Secp256k1.G, Secp256k1.N, Secp256k1.H);

    public static bool VerifySecp256k1(ReadOnlySpan<byte> publicKey, byte[] digest, byte[] rs)
    {
        var verifier = new ECDsaSigner();
        verifier.Init(false, new ECPublicKeyParameters(Secp256k1.Curve.DecodePoint(publicKey.ToArray()), Domain));
        return verifier.VerifySignature(digest, new BigInteger(1, rs, 0, 32), new BigInteger(1, rs, 32, 32));
    }

    public static bool IsLowS(byte[] rs) => new BigInteger(1, rs, 32, 32).CompareTo(Secp256k1.N.ShiftRight(1)) <= 0;

    public static bool VerifyEd25519(ReadOnlySpan<byte> publicKey, byte[] message, byte[] signature)
    {
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(publicKey));
        verifier.BlockUpdate(message, 0, message.Length);
        return verifier.VerifySignature(signature);
    }
}
