using System.Numerics;
using Custody.Core.Chains.Evm;
using Custody.Core.Crypto;

namespace Custody.Daemon.Tests;

/// <summary>Unsigned EVM transactions as a wallet back end would send them, and an independent check of the signer.</summary>
internal static class EvmPayloads
{
    public const string Recipient = "0x3535353535353535353535353535353535353535";

    /// <summary>An EIP-1559 transfer of 0.01 ETH on chain 1, as unsigned 0x-hex.</summary>
    public static string Eip1559(ulong nonce, ulong chainId = 1, string to = Recipient, ulong maxFeePerGas = 30_000_000_000, BigInteger? value = null) =>
        "0x" + Convert.ToHexStringLower(new EvmTransaction
        {
            Type = EvmTransactionType.DynamicFee,
            ChainId = chainId,
            Nonce = nonce,
            MaxPriorityFeePerGas = 1_000_000_000,
            MaxFeePerGas = maxFeePerGas,
            GasLimit = 21_000,
            To = EvmAddress.Parse(to),
            Value = value ?? BigInteger.Pow(10, 16),
        }.EncodeUnsigned());

    /// <summary>The EVM address that signed a signed transaction (0x-hex), recovered from its signature alone.</summary>
    public static string RecoverEvmSigner(string signedHex)
    {
        var (tx, signature) = EvmTransaction.DecodeSigned(Convert.FromHexString(signedHex[2..]));
        var compact = new byte[64];
        signature.R.TryWriteBytes(compact.AsSpan(0, 32)[(32 - signature.R.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
        signature.S.TryWriteBytes(compact.AsSpan(32, 32)[(32 - signature.S.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
        var publicKey = Secp256k1.Recover(tx.SigningHash(), compact, signature.YParity, compressed: false);
        return EvmAddress.FromPublicKey(publicKey);
    }
}
