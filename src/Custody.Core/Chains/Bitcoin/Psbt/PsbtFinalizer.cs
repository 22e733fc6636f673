using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// The Input Finalizer role for single-key scripts (P2PKH, P2WPKH, P2SH-P2WPKH, P2TR
/// key path) and OP_CHECKMULTISIG scripts in P2SH, P2WSH and P2SH-P2WSH: builds the final
/// scriptSig and witness from the signatures present, multisig signatures in the order of
/// their keys in the script (as OP_CHECKMULTISIG requires), each verified first.
/// Inputs of other kinds (taproot script paths among them) are left unfinalised.
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
            RequireValidMultisigSignatures(psbt, input, spent);
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
            return TryFinalizeMultisig(input, spentScript);

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
    /// The script a script-hash input's signatures commit to (the redeem script of P2SH, the
    /// witness script of P2WSH and P2SH-P2WSH) and whether it is segwit; null when the input
    /// is no script hash or lacks that script.
    /// </summary>
    public static (byte[] ScriptCode, bool Segwit)? ScriptCode(PsbtInput input, ReadOnlySpan<byte> spentScript)
    {
        ArgumentNullException.ThrowIfNull(input);
        var program = spentScript.ToArray();
        if (BitcoinScript.IsP2sh(spentScript))
        {
            if (input.RedeemScript is not { } redeem) return null;
            program = redeem.ToArray();
            if (!BitcoinScript.TryGetWitnessProgram(program, out _, out _)) return (program, false);
        }
        return BitcoinScript.TryGetWitnessProgram(program, out var version, out var hash) && version == 0 && hash.Length == 32 &&
               input.WitnessScript is { } witnessScript
            ? (witnessScript.ToArray(), true)
            : null;
    }

    /// <summary>The input's multisig script and the signatures present for its keys, in script order.</summary>
    private static (MultisigScript Script, List<PsbtPartialSignature> Signatures)? Multisig(PsbtInput input, ReadOnlySpan<byte> spentScript)
    {
        if (ScriptCode(input, spentScript) is not var (scriptCode, _) || MultisigScript.TryParse(scriptCode) is not { Tapscript: false } multisig)
            return null;
        var signatures = input.PartialSignatures
            .Where(p => multisig.IndexOf(p.PublicKey.Span) >= 0)
            .OrderBy(p => multisig.IndexOf(p.PublicKey.Span))
            .ToList();
        return (multisig, signatures);
    }

    private static PsbtInput? TryFinalizeMultisig(PsbtInput input, ReadOnlySpan<byte> spentScript)
    {
        if (Multisig(input, spentScript) is not var (multisig, signatures) || signatures.Count < multisig.Threshold) return null;
        var (scriptCode, segwit) = ScriptCode(input, spentScript)!.Value;
        // OP_CHECKMULTISIG pops one extra element (the dummy, empty as BIP147 requires), then the first k signatures in key order.
        var items = signatures.Take(multisig.Threshold).Select(p => p.Signature.ToArray()).ToList();
        if (!segwit) return input.Finalized([0x00, .. BitcoinScript.Pushes([.. items, scriptCode])], null);
        var scriptSig = BitcoinScript.IsP2sh(spentScript) ? BitcoinScript.Pushes(input.RedeemScript!.Value.ToArray()) : [];
        return input.Finalized(scriptSig, [[], .. items, scriptCode]);
    }

    /// <summary>
    /// How many more signatures the input needs before it can be finalised: 0 when final or
    /// complete, k − present for a multisig, 1 for a single-key script without one; null when
    /// this finaliser does not know the script.
    /// </summary>
    public static int? SignaturesMissing(PsbtInput input, ReadOnlySpan<byte> spentScript)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.IsFinalized || TryFinalize(input, spentScript) is not null) return 0;
        if (Multisig(input, spentScript) is var (multisig, signatures)) return multisig.Threshold - signatures.Count;
        if (BitcoinScript.IsP2tr(spentScript) || BitcoinScript.IsP2pkh(spentScript) || BitcoinScript.IsP2wpkh(spentScript) ||
            (BitcoinScript.IsP2sh(spentScript) && input.RedeemScript is { } redeem && BitcoinScript.IsP2wpkh(redeem.Span)))
            return 1;
        return null;
    }

    // A cosigner's signature is checked before it goes into a final script: a bad one would make the transaction invalid.
    private static void RequireValidMultisigSignatures(PartiallySignedTransaction psbt, PsbtInput input, IReadOnlyList<TxOutput> spent)
    {
        var spentScript = spent[input.Index].ScriptPubKey;
        if (Multisig(input, spentScript) is not var (_, signatures)) return;
        var (scriptCode, segwit) = ScriptCode(input, spentScript)!.Value;
        foreach (var partial in signatures)
        {
            var field = $"{input.Name}.partial_sig";
            var signature = partial.Signature.Span;
            if (signature.Length < 9) throw new InvalidInputException(field, $"the signature of key {Short(partial.PublicKey.Span)} is too short");
            uint type = signature[^1];
            if (!Sighash.SighashType.IsValidEcdsa(type))
                throw new InvalidInputException(field, $"the signature of key {Short(partial.PublicKey.Span)} has sighash type 0x{type:x2}");
            var digest = segwit
                ? new Sighash.SegwitV0Sighash(psbt.UnsignedTransaction).Compute(input.Index, scriptCode, spent[input.Index].Value, type)
                : Sighash.LegacySighash.Compute(psbt.UnsignedTransaction, input.Index, scriptCode, type);
            byte[] compact;
            try
            {
                compact = EcdsaSignature.FromDer(signature[..^1]).ToCompact();
            }
            catch (FormatException)
            {
                throw new InvalidInputException(field, $"the signature of key {Short(partial.PublicKey.Span)} is not strict DER");
            }
            if (!Secp256k1.Verify(partial.PublicKey.Span, digest, compact))
                throw new InvalidInputException(field, $"the signature of key {Short(partial.PublicKey.Span)} does not verify for this transaction");
        }
    }

    private static string Short(ReadOnlySpan<byte> key) => Convert.ToHexStringLower(key[..Math.Min(8, key.Length)]) + "…";

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
