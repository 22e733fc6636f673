using System.Numerics;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Chains.Evm;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Daemon.Tests;

/// <summary>Unsigned transactions as a wallet back end would send them.</summary>
internal static class Payloads
{
    public const string Recipient = "0x3535353535353535353535353535353535353535";

    /// <summary>An EIP-1559 transfer of 0.01 ETH on chain 1, as unsigned 0x-hex.</summary>
    public static string Eip1559(ulong nonce, ulong chainId = 1, string to = Recipient) =>
        "0x" + Convert.ToHexStringLower(new EvmTransaction
        {
            Type = EvmTransactionType.DynamicFee,
            ChainId = chainId,
            Nonce = nonce,
            MaxPriorityFeePerGas = 1_000_000_000,
            MaxFeePerGas = 30_000_000_000,
            GasLimit = 21_000,
            To = EvmAddress.Parse(to),
            Value = BigInteger.Pow(10, 16),
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

    /// <summary>
    /// A PSBT spending one P2WPKH output of <paramref name="amount"/> sat paying the key at
    /// <paramref name="path"/> of the wallet with master fingerprint <paramref name="fingerprint"/>.
    /// </summary>
    public static (string Psbt, TxOutput Spent) P2wpkhSpend(uint fingerprint, KeyPath path, byte[] publicKey, long amount, string destination, long send)
    {
        var spent = new TxOutput(amount, BitcoinScript.P2wpkh(Hashes.Hash160(publicKey)));
        var funding = new BitcoinTransaction(2, [new TxInput(new OutPoint(Hashes.Sha256("funding"u8), 3), [0x51], 0xffffffff)], [spent], 0);
        var spend = new BitcoinTransaction(2,
            [new TxInput(new OutPoint(funding.TxHash, 0), [], 0xfffffffd)],
            [new TxOutput(send, BitcoinAddress.ToScriptPubKey(destination, BitcoinNetwork.Mainnet))], 0);
        var psbt = PartiallySignedTransaction.Create(spend);
        psbt = psbt.WithInput(psbt.Inputs[0].WithNonWitnessUtxo(funding).WithWitnessUtxo(spent).WithBip32Derivation(publicKey, new KeyOrigin(fingerprint, path)));
        return (psbt.ToBase64(), spent);
    }

    /// <summary>Checks a P2WPKH input of a network transaction as a node would (BIP143 digest, key hash, signature).</summary>
    public static bool P2wpkhInputVerifies(BitcoinTransaction tx, int index, TxOutput spent)
    {
        var witness = tx.Inputs[index].Witness;
        if (witness.Count != 2) return false;
        var signature = witness[0].ToArray();
        var publicKey = witness[1].ToArray();
        if (!BitcoinScript.P2wpkh(Hashes.Hash160(publicKey)).AsSpan().SequenceEqual(spent.ScriptPubKey)) return false;
        var digest = new Custody.Core.Chains.Bitcoin.Sighash.SegwitV0Sighash(tx)
            .Compute(index, BitcoinScript.P2pkh(Hashes.Hash160(publicKey)), spent.Value, signature[^1]);
        return Secp256k1.Verify(publicKey, digest, EcdsaSignature.FromDer(signature.AsSpan(0, signature.Length - 1)).ToCompact());
    }
}
