using System.Security.Cryptography;
using static Custody.Core.Crypto.Secp256k1Native;

namespace Custody.Core.Crypto;

/// <summary>
/// secp256k1 through libsecp256k1: keys, ECDSA (RFC 6979 nonces, low-S, recovery
/// ids), BIP340 Schnorr and the BIP341 taproot tweak. Every length is checked here,
/// before the native call, because the library reads fixed-size buffers.
/// The shared context is randomised once and then used read-only, which the library
/// documents as safe from any number of threads.
/// </summary>
public static unsafe class Secp256k1
{
    private static readonly IntPtr Ctx = CreateContext();

    private static IntPtr CreateContext()
    {
        var ctx = ContextCreate(ContextSignVerify);
        if (ctx == IntPtr.Zero) throw new CryptographicException("libsecp256k1 context creation failed");
        Span<byte> seed = stackalloc byte[32];
        RandomNumberGenerator.Fill(seed);
        fixed (byte* s = seed)
            if (ContextRandomize(ctx, s) != 1) throw new CryptographicException("libsecp256k1 context randomisation failed");
        CryptographicOperations.ZeroMemory(seed);
        return ctx;
    }

    private static void Check(int result, string what)
    {
        if (result != 1) throw new CryptographicException($"libsecp256k1 could not {what}");
    }

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string what)
    {
        if (value.Length != length) throw new ArgumentException($"{what} must be {length} bytes, not {value.Length}");
    }

    private static void RequirePrivateKey(ReadOnlySpan<byte> priv)
    {
        RequireLength(priv, 32, "a secp256k1 private key");
        if (!IsValidPrivateKey(priv)) throw new ArgumentException("private key is zero or not below the curve order");
    }

    public static bool IsValidPrivateKey(ReadOnlySpan<byte> priv)
    {
        if (priv.Length != 32) return false;
        fixed (byte* p = priv) return SecKeyVerify(Ctx, p) == 1;
    }

    public static byte[] GetPublicKey(ReadOnlySpan<byte> priv, bool compressed = true)
    {
        RequirePrivateKey(priv);
        byte* pub = stackalloc byte[PubKeySize];
        fixed (byte* p = priv)
            if (PubKeyCreate(Ctx, pub, p) != 1) throw new ArgumentException("private key is invalid");
        return Serialize(pub, compressed);
    }

    private static byte[] Serialize(byte* pub, bool compressed)
    {
        var output = new byte[compressed ? 33 : 65];
        nuint length = (nuint)output.Length;
        fixed (byte* o = output)
            Check(PubKeySerialize(Ctx, o, &length, pub, compressed ? Compressed : Uncompressed), "serialise a public key");
        return output;
    }

    private static bool TryParse(ReadOnlySpan<byte> pub, byte* parsed)
    {
        if (pub.Length != 33 && pub.Length != 65) return false;
        fixed (byte* p = pub) return PubKeyParse(Ctx, parsed, p, (nuint)pub.Length) == 1;
    }

    private static void Parse(ReadOnlySpan<byte> pub, byte* parsed)
    {
        if (!TryParse(pub, parsed))
            throw new InvalidInputException("publicKey", "not a valid secp256k1 public key (33 or 65 bytes on the curve)");
    }

    public static bool IsValidPublicKey(ReadOnlySpan<byte> pub)
    {
        byte* parsed = stackalloc byte[PubKeySize];
        return TryParse(pub, parsed);
    }

    public static byte[] CompressPublicKey(ReadOnlySpan<byte> pub)
    {
        byte* parsed = stackalloc byte[PubKeySize];
        Parse(pub, parsed);
        return Serialize(parsed, true);
    }

    public static byte[] DecompressPublicKey(ReadOnlySpan<byte> pub)
    {
        byte* parsed = stackalloc byte[PubKeySize];
        Parse(pub, parsed);
        return Serialize(parsed, false);
    }

    /// <summary>(priv + tweak) mod n; false when the tweak is ≥ n or the sum is zero (BIP32's "invalid child").</summary>
    public static bool TryAddPrivateKeyTweak(ReadOnlySpan<byte> priv, ReadOnlySpan<byte> tweak32, Span<byte> result32)
    {
        RequireLength(priv, 32, "a secp256k1 private key");
        RequireLength(tweak32, 32, "a tweak");
        RequireLength(result32, 32, "the result buffer");
        priv.CopyTo(result32);
        fixed (byte* r = result32)
        fixed (byte* t = tweak32)
        {
            if (SecKeyTweakAdd(Ctx, r, t) == 1) return true;
        }
        CryptographicOperations.ZeroMemory(result32);
        return false;
    }

    /// <summary>pub + tweak·G; false when the tweak is ≥ n or the sum is the point at infinity.</summary>
    public static bool TryAddPublicKeyTweak(ReadOnlySpan<byte> pub33, ReadOnlySpan<byte> tweak32, out byte[] result33)
    {
        RequireLength(tweak32, 32, "a tweak");
        byte* parsed = stackalloc byte[PubKeySize];
        Parse(pub33, parsed);
        fixed (byte* t = tweak32)
        {
            if (PubKeyTweakAdd(Ctx, parsed, t) != 1)
            {
                result33 = [];
                return false;
            }
        }
        result33 = Serialize(parsed, true);
        return true;
    }

    /// <summary>ECDSA with RFC 6979 nonces (HMAC-SHA256); the library always returns low S.</summary>
    public static EcdsaSignature Sign(ReadOnlySpan<byte> priv, ReadOnlySpan<byte> digest32)
    {
        RequirePrivateKey(priv);
        RequireLength(digest32, 32, "a digest");
        byte* sig = stackalloc byte[RecoverableSignatureSize];
        Span<byte> compact = stackalloc byte[64];
        int recoveryId;
        fixed (byte* p = priv)
        fixed (byte* d = digest32)
        fixed (byte* c = compact)
        {
            if (EcdsaSignRecoverable(Ctx, sig, d, p, IntPtr.Zero, IntPtr.Zero) != 1)
                throw new CryptographicException("ECDSA signing failed");
            Check(RecoverableSerializeCompact(Ctx, c, &recoveryId, sig), "serialise a signature");
        }
        return new EcdsaSignature(compact, recoveryId);
    }

    /// <summary>Verifies a low-S compact signature; a high-S one is refused, as Bitcoin and Ethereum do.</summary>
    public static bool Verify(ReadOnlySpan<byte> pub, ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> compact64)
    {
        if (digest32.Length != 32 || compact64.Length != 64) return false;
        byte* parsed = stackalloc byte[PubKeySize];
        if (!TryParse(pub, parsed)) return false;
        byte* sig = stackalloc byte[SignatureSize];
        fixed (byte* c = compact64)
        fixed (byte* d = digest32)
        {
            if (SignatureParseCompact(Ctx, sig, c) != 1) return false;
            return EcdsaVerify(Ctx, sig, d, parsed) == 1;
        }
    }

    public static byte[] Recover(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> compact64, int recoveryId, bool compressed = true)
    {
        if (TryRecover(digest32, compact64, recoveryId, compressed, out var pub)) return pub;
        throw new InvalidInputException("signature", "no public key can be recovered from this signature");
    }

    public static bool TryRecover(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> compact64, int recoveryId, bool compressed, out byte[] pub)
    {
        pub = [];
        if (digest32.Length != 32 || compact64.Length != 64 || recoveryId is < 0 or > 3) return false;
        byte* sig = stackalloc byte[RecoverableSignatureSize];
        byte* recovered = stackalloc byte[PubKeySize];
        fixed (byte* c = compact64)
        fixed (byte* d = digest32)
        {
            if (RecoverableParseCompact(Ctx, sig, c, recoveryId) != 1) return false;
            if (EcdsaRecover(Ctx, recovered, sig, d) != 1) return false;
        }
        pub = Serialize(recovered, compressed);
        return true;
    }

    /// <summary>
    /// Brings a signature made elsewhere (an HSM's raw r‖s, random nonce, either S) into
    /// our one shape: low S, verified against <paramref name="pub"/> by finding the recovery id that reproduces it.
    /// </summary>
    public static EcdsaSignature FromRawSignature(ReadOnlySpan<byte> pub, ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> compact64)
    {
        RequireLength(digest32, 32, "a digest");
        RequireLength(compact64, 64, "a compact signature");
        Span<byte> normalized = stackalloc byte[64];
        byte* sig = stackalloc byte[SignatureSize];
        fixed (byte* c = compact64)
        fixed (byte* n = normalized)
        {
            if (SignatureParseCompact(Ctx, sig, c) != 1)
                throw new InvalidInputException("signature", "r or s is not below the curve order");
            _ = SignatureNormalize(Ctx, sig, sig); // returns whether S was high; either way sig is now low-S
            Check(SignatureSerializeCompact(Ctx, n, sig), "serialise a signature");
        }
        // A recovery that gives back the key is the verification: the recovered point is the
        // one key under which the signature verifies with that id.
        var compressed = CompressPublicKey(pub);
        for (var id = 0; id < 4; id++)
            if (TryRecover(digest32, normalized, id, true, out var candidate) && candidate.AsSpan().SequenceEqual(compressed))
                return new EcdsaSignature(normalized, id);
        throw new CryptographicException("signature does not verify against the key's public key (no recovery id reproduces it)");
    }

    public static byte[] GetXOnlyPublicKey(ReadOnlySpan<byte> priv)
    {
        var pub = GetPublicKey(priv);
        return pub[1..];
    }

    /// <summary>BIP340 signature over a message of any length, with 32 bytes of auxiliary randomness.</summary>
    public static byte[] SignSchnorr(ReadOnlySpan<byte> priv, ReadOnlySpan<byte> message, ReadOnlySpan<byte> auxRand32)
    {
        RequirePrivateKey(priv);
        RequireLength(auxRand32, 32, "auxiliary randomness");
        byte* keypair = stackalloc byte[KeyPairSize];
        var signature = new byte[64];
        try
        {
            fixed (byte* p = priv)
                if (KeyPairCreate(Ctx, keypair, p) != 1) throw new ArgumentException("private key is invalid");
            return SignSchnorr(keypair, message, auxRand32, signature);
        }
        finally
        {
            new Span<byte>(keypair, KeyPairSize).Clear();
        }
    }

    private static byte[] SignSchnorr(byte* keypair, ReadOnlySpan<byte> message, ReadOnlySpan<byte> auxRand32, byte[] signature)
    {
        // secp256k1_schnorrsig_extraparams: magic[4], (padding), nonce function pointer, ndata pointer.
        byte* extra = stackalloc byte[24];
        new Span<byte>(extra, 24).Clear();
        extra[0] = 0xda; extra[1] = 0x6f; extra[2] = 0xb3; extra[3] = 0x8c;
        fixed (byte* aux = auxRand32)
        fixed (byte* m = message)
        fixed (byte* s = signature)
        {
            *(byte**)(extra + 16) = aux;
            byte dummy = 0;
            var msg = m == null ? &dummy : m; // an empty message is legal in BIP340
            if (SchnorrSignCustom(Ctx, s, msg, (nuint)message.Length, keypair, extra) != 1)
                throw new CryptographicException("Schnorr signing failed");
        }
        return signature;
    }

    public static bool VerifySchnorr(ReadOnlySpan<byte> xonly32, ReadOnlySpan<byte> message, ReadOnlySpan<byte> sig64)
    {
        if (xonly32.Length != 32 || sig64.Length != 64) return false;
        byte* xonly = stackalloc byte[XOnlyPubKeySize];
        fixed (byte* x = xonly32)
        fixed (byte* s = sig64)
        fixed (byte* m = message)
        {
            if (XOnlyParse(Ctx, xonly, x) != 1) return false;
            byte dummy = 0;
            var msg = m == null ? &dummy : m;
            return SchnorrVerify(Ctx, s, msg, (nuint)message.Length, xonly) == 1;
        }
    }

    private static byte[] TapTweak(ReadOnlySpan<byte> internalXOnly32, ReadOnlySpan<byte> merkleRoot)
    {
        if (merkleRoot.Length is not (0 or 32)) throw new ArgumentException("a taproot merkle root is empty or 32 bytes");
        Span<byte> data = stackalloc byte[32 + merkleRoot.Length];
        internalXOnly32.CopyTo(data);
        merkleRoot.CopyTo(data[32..]);
        return Hashes.TaggedHash("TapTweak", data);
    }

    /// <summary>BIP341 output key Q = P + H_TapTweak(P ‖ root)·G, x-only; an empty root is BIP86's key-path-only output.</summary>
    public static byte[] TaprootOutputKey(ReadOnlySpan<byte> internalXOnly32, ReadOnlySpan<byte> merkleRoot) =>
        TaprootOutputKey(internalXOnly32, merkleRoot, out _);

    /// <summary>As above, with the parity of Q's y (1: odd), which a script path's control block states.</summary>
    public static byte[] TaprootOutputKey(ReadOnlySpan<byte> internalXOnly32, ReadOnlySpan<byte> merkleRoot, out int parity)
    {
        RequireLength(internalXOnly32, 32, "an x-only public key");
        var tweak = TapTweak(internalXOnly32, merkleRoot);
        byte* xonly = stackalloc byte[XOnlyPubKeySize];
        byte* output = stackalloc byte[PubKeySize];
        var result = new byte[32];
        fixed (byte* x = internalXOnly32)
        fixed (byte* t = tweak)
        fixed (byte* r = result)
        {
            if (XOnlyParse(Ctx, xonly, x) != 1)
                throw new InvalidInputException("internalKey", "not a valid x-only public key");
            if (XOnlyTweakAdd(Ctx, output, xonly, t) != 1)
                throw new CryptographicException("taproot tweak out of range");
            int odd;
            Check(XOnlyFromPubKey(Ctx, xonly, &odd, output), "take the x-only key");
            parity = odd;
            Check(XOnlySerialize(Ctx, r, xonly), "serialise an x-only key");
        }
        return result;
    }

    /// <summary>The private key that signs for <see cref="TaprootOutputKey"/> (negated first when P has odd y, as BIP341 says).</summary>
    public static void TaprootTweakPrivateKey(ReadOnlySpan<byte> priv, ReadOnlySpan<byte> merkleRoot, Span<byte> tweaked32)
    {
        RequirePrivateKey(priv);
        RequireLength(tweaked32, 32, "the result buffer");
        byte* keypair = stackalloc byte[KeyPairSize];
        byte* xonly = stackalloc byte[XOnlyPubKeySize];
        Span<byte> internalKey = stackalloc byte[32];
        try
        {
            fixed (byte* p = priv)
            fixed (byte* ik = internalKey)
            fixed (byte* o = tweaked32)
            {
                Check(KeyPairCreate(Ctx, keypair, p), "create a key pair");
                int parity;
                Check(KeyPairXOnlyPub(Ctx, xonly, &parity, keypair), "take the x-only key");
                Check(XOnlySerialize(Ctx, ik, xonly), "serialise an x-only key");
                var tweak = TapTweak(internalKey, merkleRoot);
                fixed (byte* t = tweak)
                    if (KeyPairXOnlyTweakAdd(Ctx, keypair, t) != 1) throw new CryptographicException("taproot tweak out of range");
                Check(KeyPairSec(Ctx, o, keypair), "read the tweaked key");
            }
        }
        finally
        {
            new Span<byte>(keypair, KeyPairSize).Clear();
        }
    }
}
