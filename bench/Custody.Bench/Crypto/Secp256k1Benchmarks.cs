using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Custody.Core.Crypto;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace Custody.Bench.Crypto;

/// <summary>
/// ECDSA signing rate of our Secp256k1 against libsecp256k1 called bare (the baseline:
/// the library's own rate, no wrapper) and against BouncyCastle's RFC 6979 signer, in one run.
/// </summary>
[MemoryDiagnoser]
public unsafe class Secp256k1Benchmarks
{
    private readonly byte[] _key = Convert.FromHexString("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    private readonly byte[] _digest = Hashes.Sha256("sample"u8);
    private readonly byte[] _sig = new byte[64];
    private IntPtr _ctx;
    private ECDsaSigner _bouncy = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ctx = Native.secp256k1_context_create((1 << 0) | (1 << 9) | (1 << 8));
        var curve = CustomNamedCurves.GetByName("secp256k1"); // the fast custom curve, as BouncyCastle users would pick
        var domain = new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
        _bouncy = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        _bouncy.Init(true, new ECPrivateKeyParameters(new BigInteger(1, _key), domain));
        _ = Secp256k1.Sign(_key, _digest); // loads the library before the first measurement
    }

    [Benchmark(Baseline = true, Description = "libsecp256k1 bare ecdsa_sign")]
    public int LibSecp256k1Bare()
    {
        byte* sig = stackalloc byte[64];
        fixed (byte* d = _digest)
        fixed (byte* k = _key)
            return Native.secp256k1_ecdsa_sign(_ctx, sig, d, k, IntPtr.Zero, IntPtr.Zero);
    }

    [Benchmark(Description = "Custody Secp256k1.Sign (recoverable, low-S)")]
    public EcdsaSignature CustodySign() => Secp256k1.Sign(_key, _digest);

    [Benchmark(Description = "Custody Secp256k1.Verify")]
    public bool CustodyVerify()
    {
        Secp256k1.Sign(_key, _digest).ToCompact().CopyTo(_sig, 0);
        return Secp256k1.Verify(Secp256k1.GetPublicKey(_key), _digest, _sig);
    }

    [Benchmark(Description = "BouncyCastle ECDSA RFC 6979")]
    public BigInteger[] BouncyCastleSign() => _bouncy.GenerateSignature(_digest);

    [Benchmark(Description = "Custody Secp256k1.SignSchnorr (BIP340)")]
    public byte[] CustodySchnorr() => Secp256k1.SignSchnorr(_key, _digest, _digest);

    [Benchmark(Description = "Custody Ed25519.Sign (BouncyCastle)")]
    public byte[] Ed25519Sign() => Ed25519.Sign(_key, _digest);

    private static class Native
    {
        [DllImport("libsecp256k1.so.1")]
        public static extern IntPtr secp256k1_context_create(uint flags);

        [DllImport("libsecp256k1.so.1")]
        public static extern int secp256k1_ecdsa_sign(IntPtr ctx, byte* sig, byte* msg32, byte* seckey, IntPtr noncefp, IntPtr ndata);
    }
}
