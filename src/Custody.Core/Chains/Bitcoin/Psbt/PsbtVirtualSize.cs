using Custody.Core.Chains.Bitcoin.Sighash;
using Custody.Core.Chains.Bitcoin.Transactions;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// The smallest virtual size the finished transaction can plausibly have (BIP141:
/// vsize = ⌈weight ÷ 4⌉, weight = 3 × base size + total size), for the policy's maximum
/// fee-rate cap. The cap checks fee ÷ vsize ≤ cap, so a vsize that is too large would
/// understate the rate and let an overpaying transaction through; the estimate therefore
/// errs small (the rate it implies is never below the real one). Inputs of the single-key
/// kinds (P2PKH, P2SH-P2WPKH, P2WPKH, P2TR key path) count with their shortest signatures
/// and a compressed key, finalised or not; finalised inputs of other kinds count as
/// finalised. Null when an unsigned input's final size cannot be bounded (any other script
/// kind), so the policy refuses a fee-rate cap rather than guess.
/// </summary>
public static class PsbtVirtualSize
{
    /// <summary>
    /// ECDSA signature with its sighash byte, at its shortest in practice: a low-S DER signature
    /// with 32-byte r and s is 70 bytes (71 with a high r, which signers without low-R grinding
    /// produce half the time); r or s below 2^247 (about 1 in 170 signatures) makes it 69, both
    /// 68 (about 1 in 130 000). We count 68 + 1, so only a far rarer signature is shorter still.
    /// </summary>
    internal const int MinEcdsaSignature = 69;

    /// <summary>BIP341 key path: 64 bytes with SIGHASH_DEFAULT, 65 with an explicit type.</summary>
    internal const int SchnorrSignature = 64;

    private const int CompressedKey = 33;

    /// <summary>vsize of the final transaction, bounded from below; null when an input's final size is unknown.</summary>
    public static long? Estimate(PartiallySignedTransaction psbt, IReadOnlyList<TxOutput> spent)
    {
        ArgumentNullException.ThrowIfNull(psbt);
        ArgumentNullException.ThrowIfNull(spent);
        var tx = psbt.UnsignedTransaction;
        var inputs = new List<TxInput>(tx.Inputs.Count);
        for (var i = 0; i < tx.Inputs.Count; i++)
        {
            if (FinalShape(psbt.Inputs[i], spent[i].ScriptPubKey) is not { } shape) return null;
            inputs.Add(tx.Inputs[i].With(shape.ScriptSig, shape.Witness));
        }
        var final = tx.WithInputs(inputs);
        var weight = 3L * final.ToBytes(includeWitness: false).Length + final.ToBytes(includeWitness: true).Length;
        return (weight + 3) / 4;
    }

    // Only the sizes matter: placeholders of zero bytes stand for signatures and keys.
    // Signatures do not commit to other inputs' scriptSigs and witnesses, so a finalised
    // input's owner may still swap in another valid one after we sign: a single-key or
    // taproot input counts at the smallest it could be re-signed with, not as finalised.
    private static (byte[] ScriptSig, byte[][]? Witness)? FinalShape(PsbtInput input, ReadOnlySpan<byte> spentScript)
    {
        if (BitcoinScript.IsP2tr(spentScript))
        {
            // key path is the smallest spend; an explicit type makes the signature we add 65 bytes
            var explicitType = !input.IsFinalized && input.SighashType is { } type && type != SighashType.Default;
            return ([], [new byte[SchnorrSignature + (explicitType ? 1 : 0)]]);
        }
        byte[][] keyWitness = [new byte[MinEcdsaSignature], new byte[CompressedKey]];
        if (BitcoinScript.IsP2wpkh(spentScript))
            return ([], keyWitness);
        if (BitcoinScript.IsP2pkh(spentScript))
            return (new byte[1 + MinEcdsaSignature + 1 + CompressedKey], null); // <sig> <key>, one-byte pushes
        if (BitcoinScript.IsP2sh(spentScript) && NestedP2wpkh(input) is { } redeem)
            return (new byte[1 + redeem.Length], keyWitness); // one push of the 22-byte redeem script
        if (input.IsFinalized) // another script kind: as its finaliser gave it
            return (input.FinalScriptSig?.ToArray() ?? [], input.FinalScriptWitness?.ToArray());
        return null;
    }

    // The P2WPKH redeem script of a P2SH input: from the PSBT field, or the final scriptSig's single push.
    private static ReadOnlyMemory<byte>? NestedP2wpkh(PsbtInput input)
    {
        if (input.RedeemScript is { } redeem && BitcoinScript.IsP2wpkh(redeem.Span)) return redeem;
        if (input.FinalScriptSig is { } final && final.Length == 23 && final.Span[0] == 22 && BitcoinScript.IsP2wpkh(final.Span[1..]))
            return final[1..];
        return null;
    }
}
