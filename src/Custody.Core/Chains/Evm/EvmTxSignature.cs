using System.Numerics;

namespace Custody.Core.Chains.Evm;

/// <summary>
/// The signature fields of an EVM transaction: y-parity (0/1) and r, s as integers.
/// How parity is written (legacy v = 27 + parity, EIP-155 v = chainId·2 + 35 + parity,
/// typed transactions yParity) is the transaction's concern.
/// </summary>
public sealed record EvmTxSignature(int YParity, BigInteger R, BigInteger S)
{
    public static EvmTxSignature From(Custody.Core.Crypto.EcdsaSignature signature)
    {
        // Ethereum's v carries one bit; ids 2 and 3 (r above the group order, ~2^-127) cannot be expressed.
        if (signature.RecoveryId > 1)
            throw new System.Security.Cryptography.CryptographicException("recovery id above 1 cannot be expressed in an EVM signature");
        return new EvmTxSignature(
            signature.RecoveryId,
            new BigInteger(signature.R, isUnsigned: true, isBigEndian: true),
            new BigInteger(signature.S, isUnsigned: true, isBigEndian: true));
    }
}
