using System.Security.Cryptography;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Chains.Evm;

/// <summary>
/// Signs a 32-byte digest for chains that recover the signer from the signature
/// (EVM transactions and messages, TRON). The recovery id is checked by recovering the
/// key and comparing it with the ring's, so a wrong id from any backend never leaves.
/// </summary>
public static class RecoverableSigner
{
    /// <summary>
    /// Signs and checks the recovery; <paramref name="publicKey"/> is the signer's key, uncompressed
    /// (65 bytes) as recovery yields it, so an address needs no further curve arithmetic.
    /// </summary>
    public static EcdsaSignature Sign(IKeyRing keys, KeyPath path, ReadOnlySpan<byte> digest32, out byte[] publicKey)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(path);
        if (keys.Curve != KeyCurve.Secp256k1)
            throw new InvalidInputException("keys", "this chain signs with secp256k1 keys");
        var expected = keys.GetPublicKey(path);
        var signature = keys.SignEcdsa(path, digest32);
        if (signature.RecoveryId > 1)
            throw new CryptographicException("recovery id above 1 cannot be expressed in a 65-byte r‖s‖v signature");
        if (!Secp256k1.TryRecover(digest32, signature.ToCompact(), signature.RecoveryId, compressed: false, out publicKey) ||
            !SameKey(expected, publicKey))
            throw new CryptographicException("the signature does not recover to the signer's public key");
        return signature;
    }

    // Compares a ring key (33 or 65 bytes) with a recovered 65-byte key by their bytes:
    // the compressed form is the parity of y and x, so no point has to be parsed.
    private static bool SameKey(ReadOnlySpan<byte> ringKey, ReadOnlySpan<byte> uncompressed65) => ringKey.Length switch
    {
        65 => ringKey.SequenceEqual(uncompressed65),
        33 => ringKey[0] == (0x02 | (uncompressed65[64] & 1)) && ringKey[1..].SequenceEqual(uncompressed65[1..33]),
        _ => false,
    };

    /// <summary>The 65-byte r ‖ s ‖ v form with v = 27 + y-parity (eth_sign, EIP-712, TRON).</summary>
    public static byte[] ToRsv(EcdsaSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return [.. signature.ToCompact(), (byte)(27 + signature.RecoveryId)];
    }
}
