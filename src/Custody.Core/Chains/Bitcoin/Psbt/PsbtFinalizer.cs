using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// The Input Finalizer role for single-key scripts (P2PKH, P2WPKH, P2SH-P2WPKH, P2TR
/// key path), OP_CHECKMULTISIG scripts in P2SH, P2WSH and P2SH-P2WSH, and taproot script
/// paths through pk / multi_a / sortedmulti_a leaves: builds the final scriptSig and witness
/// from the signatures present, multisig signatures in the order the script requires, each
/// verified first. Inputs of other kinds are left unfinalised.
/// </summary>
public static class PsbtFinalizer
{
    /// <summary>The PSBT with every input finalised, or null when some input cannot be (yet).</summary>
    public static PartiallySignedTransaction? TryFinalizeAll(PartiallySignedTransaction psbt, IReadOnlyList<TxOutput> spent)
    {
        ArgumentNullException.ThrowIfNull(psbt);
        ArgumentNullException.ThrowIfNull(spent);
        var result = psbt;
        var taproot = new Lazy<Sighash.TaprootSighash>(() => new Sighash.TaprootSighash(psbt.UnsignedTransaction, spent));
        foreach (var input in psbt.Inputs)
        {
            if (input.IsFinalized) continue;
            RequireValidMultisigSignatures(psbt, input, spent);
            RequireValidTapscriptSignatures(taproot, input, spent[input.Index].ScriptPubKey);
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
            return input.TapKeySignature is { } tapSignature ? input.Finalized([], [tapSignature.ToArray()]) : TryFinalizeScriptPath(input, spentScript);

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
    /// The input's tapscript leaves that can be spent: given with a control block that commits to
    /// the spent output key, a pk / multi_a / sortedmulti_a script, and the signatures present for
    /// that leaf, in key order.
    /// </summary>
    private static IEnumerable<(PsbtTapLeafScript Leaf, MultisigScript Script, PsbtTapScriptSignature?[] Signatures)> TapLeaves(PsbtInput input, ReadOnlySpan<byte> spentScript)
    {
        var commits = input.LeafCommitments(spentScript[2..]);
        var leaves = new List<(PsbtTapLeafScript, MultisigScript, PsbtTapScriptSignature?[])>();
        for (var i = 0; i < input.TapLeafScripts.Count; i++)
        {
            var leaf = input.TapLeafScripts[i];
            if (!commits[i] || leaf.LeafVersion != Taproot.TapscriptLeafVersion || MultisigScript.TryParseLeaf(leaf.Script.Span) is not { } script)
                continue;
            var leafHash = Taproot.LeafHash(leaf.LeafVersion, leaf.Script.Span);
            var signatures = script.Keys
                .Select(key => input.TapScriptSignature(key, leafHash))
                .ToArray();
            leaves.Add((leaf, script, signatures));
        }
        return leaves;
    }

    /// <summary>Per usable tapscript leaf of a P2TR input (see <see cref="TapLeaves"/>), the signatures it still needs; empty for other inputs.</summary>
    public static IReadOnlyList<LeafSigning> LeafSignaturesMissing(PsbtInput input, ReadOnlySpan<byte> spentScript)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.IsFinalized || !BitcoinScript.IsP2tr(spentScript)) return [];
        return [.. TapLeaves(input, spentScript).Select(l => new LeafSigning(
            Convert.ToHexStringLower(Taproot.LeafHash(l.Leaf.LeafVersion, l.Leaf.Script.Span)),
            Math.Max(0, l.Script.Threshold - l.Signatures.Count(s => s is not null))))];
    }

    // The satisfiable leaf with the smallest witness; its first k signatures in key order, the
    // other keys' elements empty (OP_CHECKSIGADD counts only non-empty ones, OP_NUMEQUAL wants exactly k),
    // pushed in reverse key order because the first key's OP_CHECKSIG pops the top of the stack.
    private static PsbtInput? TryFinalizeScriptPath(PsbtInput input, ReadOnlySpan<byte> spentScript)
    {
        List<byte[]>? best = null;
        foreach (var (leaf, script, signatures) in TapLeaves(input, spentScript))
        {
            if (signatures.Count(s => s is not null) < script.Threshold) continue;
            var used = 0;
            var items = signatures.Select(s => s is not null && used++ < script.Threshold ? s.Signature.ToArray() : []).Reverse().ToList();
            List<byte[]> witness = [.. items, leaf.Script.ToArray(), leaf.ControlBlock.ToArray()];
            if (best is null || WitnessSize(witness) < WitnessSize(best)) best = witness;
        }
        return best is null ? null : input.Finalized([], best);
    }

    private static int WitnessSize(List<byte[]> witness) => witness.Sum(item => item.Length + 1);

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
        // A taproot script path: the fewest any of its leaves still needs.
        if (BitcoinScript.IsP2tr(spentScript) && LeafSignaturesMissing(input, spentScript) is { Count: > 0 } leaves)
            return leaves.Min(l => l.SignaturesMissing);
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

    /// <summary>Refuses the input when a tap_leaf_script's control block does not commit its leaf to the spent P2TR output key.</summary>
    internal static void RequireCommittedLeaves(PsbtInput input, ReadOnlySpan<byte> spentScript)
    {
        if (input.LeafCommitments(spentScript[2..]).Contains(false))
            throw new InvalidInputException($"{input.Name}.tap_leaf_script", "a control block does not commit its leaf script to the spent P2TR output key");
    }

    // As for multisig: every leaf commits to the output key, and every tap_script_sig of a leaf the finaliser may use verifies.
    private static void RequireValidTapscriptSignatures(Lazy<Sighash.TaprootSighash> sighash, PsbtInput input, ReadOnlySpan<byte> spentScript)
    {
        if (!BitcoinScript.IsP2tr(spentScript) || input.TapKeySignature is not null) return;
        RequireCommittedLeaves(input, spentScript);
        foreach (var (_, _, signatures) in TapLeaves(input, spentScript))
        {
            foreach (var partial in signatures.OfType<PsbtTapScriptSignature>())
            {
                var field = $"{input.Name}.tap_script_sig";
                var signature = partial.Signature.Span;
                var type = signature.Length == 65 ? signature[64] : Sighash.SighashType.Default;
                if (signature.Length == 65 && (type == Sighash.SighashType.Default || !Sighash.SighashType.IsValidTaproot(type)))
                    throw new InvalidInputException(field, $"the signature of key {Short(partial.XOnlyKey.Span)} has sighash type 0x{type:x2}");
                var digest = sighash.Value.ComputeScriptPath(input.Index, type, partial.LeafHash.Span);
                if (!Secp256k1.VerifySchnorr(partial.XOnlyKey.Span, digest, signature[..64]))
                    throw new InvalidInputException(field, $"the signature of key {Short(partial.XOnlyKey.Span)} does not verify for this transaction");
            }
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
