using System.Security.Cryptography;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Chains.Evm;

/// <summary>
/// Signs a 32-byte digest for chains that recover the signer from the signature
/// (EVM transactions and messages, TRON). Every key ring checks the recovery id by
/// recovering its own key before it returns a signature (IKeyRing.SignEcdsa), so a wrong id
/// from any backend never leaves.
/// </summary>
public static class RecoverableSigner
{
    /// <summary>
    /// Signs; <paramref name="publicKey"/> is the signer's key, uncompressed (65 bytes), as
    /// addresses are computed from it.
    /// </summary>
    public static EcdsaSignature Sign(IKeyRing keys, KeyPath path, ReadOnlySpan<byte> digest32, out byte[] publicKey)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(path);
        if (keys.Curve != KeyCurve.Secp256k1)
            throw new InvalidInputException("keys", "this chain signs with secp256k1 keys");
        // The ring verified the signature by recovering its own key with this recovery id
        // (IKeyRing.SignEcdsa), so v is right and the key is the one at path.
        var signature = keys.SignEcdsa(path, digest32);
        if (signature.RecoveryId > 1)
            throw new CryptographicException("recovery id above 1 cannot be expressed in a 65-byte r‖s‖v signature");
        var key = keys.GetPublicKey(path);
        publicKey = key.Length == 65 ? key : Secp256k1.DecompressPublicKey(key);
        return signature;
    }

    /// <summary>The 65-byte r ‖ s ‖ v form with v = 27 + y-parity (eth_sign, EIP-712, TRON).</summary>
    public static byte[] ToRsv(EcdsaSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return [.. signature.ToCompact(), (byte)(27 + signature.RecoveryId)];
    }
}
