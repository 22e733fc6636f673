using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// The Input Finalizer role for single-key scripts (P2PKH, P2WPKH, P2SH-P2WPKH, P2TR
/// key path): builds the final scriptSig and witness from the signature present.
/// Inputs of other kinds are left for a finaliser that knows their scripts.
/// </summary>
public static class PsbtFinalizer
{
    /// <summary>The PSBT with every input finalised, or null when some input cannot be (yet).</summary>
    public static PartiallySignedTransaction? TryFinalizeAll(PartiallySignedTransaction psbt, IReadOnlyList<TxOutput> spent)
    {
        ArgumentNullException.ThrowIfNull(psbt);
        ArgumentNullException.ThrowIfNull(spent);
        var result = psbt;
        foreach (var input in psbt.Inputs)
        {
            if (input.IsFinalized) continue;
            var finalized = TryFinalize(input, spent[input.Index].ScriptPubKey);
            if (finalized is null) return null;
            result = result.WithInput(finalized);
        }
        return result;
    }

    /// <summary>The finalised input, or null when it has no usable signature for a single-key script.</summary>
    public static PsbtInput? TryFinalize(PsbtInput input, ReadOnlySpan<byte> spentScript)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.IsFinalized) return input;
        if (BitcoinScript.IsP2tr(spentScript))
            return input.TapKeySignature is { } tapSignature ? input.Finalized([], [tapSignature.ToArray()]) : null;

        ReadOnlySpan<byte> keyHash;
        var nested = false;
        if (BitcoinScript.IsP2pkh(spentScript))
            keyHash = spentScript.Slice(3, 20);
        else if (BitcoinScript.IsP2wpkh(spentScript))
            keyHash = spentScript[2..];
        else if (BitcoinScript.IsP2sh(spentScript) && input.RedeemScript is { } redeem && BitcoinScript.IsP2wpkh(redeem.Span))
        {
            keyHash = redeem.Span[2..];
            nested = true;
        }
        else
            return null;

        foreach (var partial in input.PartialSignatures)
        {
            if (!Hashes.Hash160(partial.PublicKey.Span).AsSpan().SequenceEqual(keyHash)) continue;
            byte[] signature = partial.Signature.ToArray();
            byte[] publicKey = partial.PublicKey.ToArray();
            if (BitcoinScript.IsP2pkh(spentScript))
                return input.Finalized(BitcoinScript.Pushes(signature, publicKey), null);
            return input.Finalized(nested ? BitcoinScript.Pushes(input.RedeemScript!.Value.ToArray()) : [], [signature, publicKey]);
        }
        return null;
    }

    /// <summary>
    /// The txid the network will see, when it is already fixed: every input is final, or
    /// its scriptSig is known in advance (empty for native segwit, the redeem script push
    /// for P2SH-wrapped segwit). Null while a legacy input's scriptSig is still unknown.
    /// </summary>
    public static string? PredictTxId(PartiallySignedTransaction psbt, IReadOnlyList<TxOutput> spent)
    {
        ArgumentNullException.ThrowIfNull(psbt);
        ArgumentNullException.ThrowIfNull(spent);
        var tx = psbt.UnsignedTransaction;
        var inputs = new TxInput[tx.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = psbt.Inputs[i];
            var script = spent[i].ScriptPubKey;
            byte[] scriptSig;
            if (input.IsFinalized)
                scriptSig = input.FinalScriptSig?.ToArray() ?? [];
            else if (BitcoinScript.TryGetWitnessProgram(script, out _, out _))
                scriptSig = [];
            else if (BitcoinScript.IsP2sh(script) && input.RedeemScript is { } redeem && BitcoinScript.TryGetWitnessProgram(redeem.Span, out _, out _))
                scriptSig = BitcoinScript.Pushes(redeem.ToArray());
            else
                return null;
            inputs[i] = tx.Inputs[i].With(scriptSig, null);
        }
        return tx.WithInputs(inputs).TxId;
    }
}
