using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// The output each input spends, proven from the PSBT's UTXO fields or refused.
/// A non-segwit signature does not commit to the amount, so a legacy input's amount
/// counts only from its full previous transaction (non_witness_utxo), which must hash
/// to the txid the input spends; where both UTXO fields are present they must agree
/// (the segwit fee attack); redeem and witness scripts must hash to what they claim.
/// </summary>
public static class SpentOutputs
{
    public static TxOutput[] Resolve(PartiallySignedTransaction psbt, BitcoinNetwork network)
    {
        ArgumentNullException.ThrowIfNull(psbt);
        ArgumentNullException.ThrowIfNull(network);
        var spent = new TxOutput[psbt.Inputs.Count];
        for (var i = 0; i < spent.Length; i++)
            spent[i] = Resolve(psbt.Inputs[i], psbt.UnsignedTransaction.Inputs[i].PrevOut, network);
        return spent;
    }

    private static TxOutput Resolve(PsbtInput input, OutPoint prevOut, BitcoinNetwork network)
    {
        TxOutput? fromPrevious = null;
        if (input.NonWitnessUtxo is { } previous)
        {
            if (!previous.TxHash.SequenceEqual(prevOut.Hash))
                throw new InvalidInputException(input.Name + ".non_witness_utxo",
                    $"is transaction {previous.TxId}, but the input spends {prevOut.TxId}");
            if (prevOut.Index >= previous.Outputs.Count)
                throw new InvalidInputException(input.Name + ".non_witness_utxo",
                    $"has {previous.Outputs.Count} outputs; the input spends output {prevOut.Index}");
            fromPrevious = previous.Outputs[(int)prevOut.Index];
        }
        if (input.WitnessUtxo is { } witnessUtxo)
        {
            if (!network.SupportsSegwit)
                throw new InvalidInputException(input.Name + ".witness_utxo", $"{network.Name} has no segwit");
            if (fromPrevious is not null && !fromPrevious.Equals(witnessUtxo))
                throw new InvalidInputException(input.Name + ".witness_utxo",
                    $"differs from output {prevOut.Index} of non_witness_utxo ({fromPrevious}); the amounts must agree");
        }
        var spent = fromPrevious ?? input.WitnessUtxo
            ?? throw new InvalidInputException(input.Name, "has neither witness_utxo nor non_witness_utxo; the amount it spends is unknown");

        var program = CheckScripts(input, spent.ScriptPubKey);
        var segwit = BitcoinScript.TryGetWitnessProgram(program, out _, out _);
        if (segwit && !network.SupportsSegwit)
            throw new InvalidInputException(input.Name, $"spends a segwit output, and {network.Name} has no segwit");
        if (!segwit && fromPrevious is null)
            throw new InvalidInputException(input.Name + ".non_witness_utxo",
                "required for a non-segwit input (its signature does not commit to the amount, so witness_utxo alone proves nothing)");
        return spent;
    }

    /// <summary>Checks redeem and witness scripts against the spent script; returns the script that is spent in the end (the redeem script for P2SH).</summary>
    private static ReadOnlySpan<byte> CheckScripts(PsbtInput input, ReadOnlySpan<byte> scriptPubKey)
    {
        var program = scriptPubKey;
        if (input.RedeemScript is { } redeem)
        {
            if (!BitcoinScript.IsP2sh(scriptPubKey) || !scriptPubKey.Slice(2, 20).SequenceEqual(Hashes.Hash160(redeem.Span)))
                throw new InvalidInputException(input.Name + ".redeem_script", "does not hash to the P2SH output the input spends");
            program = redeem.Span;
        }
        if (input.WitnessScript is { } witnessScript)
        {
            if (!BitcoinScript.TryGetWitnessProgram(program, out var version, out var hash) || version != 0 || hash.Length != 32 ||
                !hash.SequenceEqual(Hashes.Sha256(witnessScript.Span)))
                throw new InvalidInputException(input.Name + ".witness_script",
                    input.RedeemScript is null ? "does not hash to the P2WSH output the input spends" : "does not hash to the P2WSH program in the redeem script");
        }
        return program;
    }
}
