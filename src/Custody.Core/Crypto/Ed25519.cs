using Bc = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Custody.Core.Crypto;

/// <summary>Ed25519 (RFC 8032, pure) through BouncyCastle; the private key is the 32-byte seed.</summary>
public static class Ed25519
{
    public const int KeySize = 32;
    public const int SignatureSize = 64;

    public static byte[] GetPublicKey(ReadOnlySpan<byte> seed32)
    {
        if (seed32.Length != KeySize) throw new ArgumentException("an Ed25519 private key is 32 bytes");
        var pub = new byte[KeySize];
        Bc.GeneratePublicKey(seed32, pub);
        return pub;
    }

    /// <summary>Signs with the key where it lies: BouncyCastle reads it from the span, so no copy of it is made here.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> seed32, ReadOnlySpan<byte> message)
    {
        if (seed32.Length != KeySize) throw new ArgumentException("an Ed25519 private key is 32 bytes");
        var sig = new byte[SignatureSize];
        Bc.Sign(seed32, message, sig);
        return sig;
    }

    public static bool Verify(ReadOnlySpan<byte> pub32, ReadOnlySpan<byte> message, ReadOnlySpan<byte> sig64)
    {
        if (pub32.Length != KeySize || sig64.Length != SignatureSize) return false;
        var msg = message.ToArray();
        return Bc.Verify(sig64.ToArray(), 0, pub32.ToArray(), 0, msg, 0, msg.Length);
    }
}
