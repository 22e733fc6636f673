using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Daemon.Tests;

/// <summary>PSBTs as a wallet back end would build them (creator + updater), and a node's check of the result.</summary>
internal static class BitcoinPayloads
{
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
