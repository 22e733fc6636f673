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

/// <summary>
/// A PSBT spending several P2WPKH outputs of one wallet key from one funding transaction, paying
/// given scripts. Each input may claim another amount in its witness_utxo than the funding output
/// really holds (what an attacker controls when only witness_utxo is given), and may carry the
/// full previous transaction or not.
/// </summary>
internal sealed record PsbtSpend(uint Fingerprint, KeyPath Path, byte[] PublicKey)
{
    /// <summary>The funding transaction: one P2WPKH output per amount, all to the wallet's key.</summary>
    public BitcoinTransaction Funding(params long[] amounts) =>
        new(2, [new TxInput(new OutPoint(Hashes.Sha256("multi funding"u8), 7), [0x51], 0xffffffff)],
            [.. amounts.Select(a => new TxOutput(a, BitcoinScript.P2wpkh(Hashes.Hash160(PublicKey))))], 0);

    /// <param name="inputs">(funding output index, the amount the PSBT claims for it)</param>
    public string Spend(BitcoinTransaction funding, (int Output, long Claimed)[] inputs, (byte[] Script, long Value)[] outputs, bool fullPrevious = true, uint sequence = 0xfffffffd)
    {
        var spend = new BitcoinTransaction(2,
            [.. inputs.Select(i => new TxInput(new OutPoint(funding.TxHash, (uint)i.Output), [], sequence))],
            [.. outputs.Select(o => new TxOutput(o.Value, o.Script))], 0);
        var psbt = PartiallySignedTransaction.Create(spend);
        for (var i = 0; i < inputs.Length; i++)
        {
            var claimed = new TxOutput(inputs[i].Claimed, funding.Outputs[inputs[i].Output].ScriptPubKey);
            var input = psbt.Inputs[i].WithWitnessUtxo(claimed).WithBip32Derivation(PublicKey, new KeyOrigin(Fingerprint, Path));
            if (fullPrevious) input = input.WithNonWitnessUtxo(funding);
            psbt = psbt.WithInput(input);
        }
        return psbt.ToBase64();
    }

    public static byte[] To(string address) => BitcoinAddress.ToScriptPubKey(address, BitcoinNetwork.Mainnet);
}
