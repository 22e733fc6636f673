using System.Globalization;
using System.Numerics;
using Custody.Core.Chains.Bitcoin.Sighash;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Policy;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// What a PSBT does, proven from its bytes: the outputs with their addresses and
/// amounts, the fee (inputs − outputs, from the resolved spent outputs), the spent
/// outpoints as replay keys, the input addresses as sources, and notes on anything
/// unusual (non-default sighash types, scripts without an address), and the final
/// transaction's virtual size when it can be bounded.
/// Change: without keys only a claim can be read; an output that carries a
/// derivation is marked IsChange here, and the signer refuses the PSBT unless every
/// such output pays a key the wallet derives. So no signature ever exists for an
/// intent whose change flags were not proven.
/// </summary>
public static class PsbtIntent
{
    /// <summary>
    /// Bitcoin Core's MAX_STANDARD_TX_WEIGHT (Litecoin's too; Dogecoin's 100 kB size limit is the
    /// same bound). Refusing bigger transactions also bounds the legacy sighash, which is
    /// quadratic in the number of inputs.
    /// </summary>
    public const long MaxStandardWeight = 400_000;

    /// <summary>An output claims to be change when it names the key(s) it pays, through any derivation.</summary>
    public static bool ClaimsChange(PsbtOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.Bip32Derivations.Count > 0 || output.TapBip32Derivations.Count > 0;
    }

    /// <summary>Refuses a transaction that is above <see cref="MaxStandardWeight"/> before it is even signed.</summary>
    public static void RequireStandardWeight(BitcoinTransaction unsignedTransaction)
    {
        ArgumentNullException.ThrowIfNull(unsignedTransaction);
        var weight = 4L * unsignedTransaction.ToBytes(includeWitness: false).Length;
        if (weight > MaxStandardWeight)
            throw new InvalidInputException("global.unsigned_tx",
                $"weight {weight} exceeds the standard limit of {MaxStandardWeight} already before signatures; such a transaction would not be relayed");
    }

    public static TransactionIntent Decode(Chain chain, PartiallySignedTransaction psbt, IReadOnlyList<TxOutput> spent)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(psbt);
        ArgumentNullException.ThrowIfNull(spent);
        var network = BitcoinFamily.NetworkOf(chain);
        var tx = psbt.UnsignedTransaction;
        RequireStandardWeight(tx);
        var notes = new List<string>();

        var seen = new Dictionary<OutPoint, int>();
        var sources = new List<string>();
        var replayKeys = new List<string>();
        var claims = new Dictionary<string, ReplayClaim>(StringComparer.Ordinal);
        var witnessOnly = new List<string>();
        BigInteger totalIn = 0;
        for (var i = 0; i < tx.Inputs.Count; i++)
        {
            var prevOut = tx.Inputs[i].PrevOut;
            if (!seen.TryAdd(prevOut, i))
                throw new InvalidInputException($"input[{i}]", $"spends {prevOut}, as input[{seen[prevOut]}] does");
            replayKeys.Add(prevOut.ToString());
            claims[prevOut.ToString()] = SpentClaim(spent[i]);
            totalIn += spent[i].Value;
            if (BitcoinAddress.TryFromScriptPubKey(spent[i].ScriptPubKey, network, out var address))
            {
                if (!sources.Contains(address)) sources.Add(address);
            }
            else
            {
                notes.Add($"input[{i}].script:nonstandard");
            }
            if (SighashNote(psbt.Inputs[i], spent[i]) is { } note) notes.Add(note);
            if (IsSegwitV0(psbt.Inputs[i], spent[i]) && psbt.Inputs[i].NonWitnessUtxo is null) witnessOnly.Add(psbt.Inputs[i].Name);
        }

        var outputs = new List<IntentOutput>();
        BigInteger totalOut = 0;
        for (var i = 0; i < tx.Outputs.Count; i++)
        {
            var output = tx.Outputs[i];
            totalOut += output.Value;
            string? destination = null;
            if (BitcoinAddress.TryFromScriptPubKey(output.ScriptPubKey, network, out var address))
                destination = address;
            else
                notes.Add(output.ScriptPubKey is [0x6a, ..] ? $"output[{i}].script:op_return" : $"output[{i}].script:nonstandard");
            outputs.Add(new IntentOutput(destination, IntentOutput.NativeAsset, output.Value, ClaimsChange(psbt.Outputs[i])));
        }

        var fee = totalIn - totalOut;
        if (fee < 0) throw new InvalidInputException("fee", $"outputs ({totalOut}) exceed inputs ({totalIn})");
        // A lower bound, so a maximum fee-rate cap never passes a transaction that pays more (see PsbtVirtualSize).
        return new TransactionIntent(chain, sources, outputs, fee, null, replayKeys, notes)
        {
            ReplayClaims = claims,
            VirtualSize = PsbtVirtualSize.Estimate(psbt, spent),
            WitnessUtxoOnlyInputs = witnessOnly,
        };
    }

    /// <summary>Whether the input spends a segwit v0 program, natively or nested in P2SH (SpentOutputs has checked the redeem script).</summary>
    private static bool IsSegwitV0(PsbtInput input, TxOutput spent)
    {
        var program = input.RedeemScript is { } redeem && BitcoinScript.IsP2sh(spent.ScriptPubKey) ? redeem.Span : spent.ScriptPubKey;
        return BitcoinScript.TryGetWitnessProgram(program, out var version, out _) && version == 0;
    }

    /// <summary>What an input says it spends: the output's value and script (see <see cref="TransactionIntent.ReplayClaims"/>).</summary>
    public static ReplayClaim SpentClaim(TxOutput spent)
    {
        ArgumentNullException.ThrowIfNull(spent);
        return new ReplayClaim(spent.Value, Convert.ToHexStringLower(spent.ScriptPubKey));
    }

    // ALL (and DEFAULT for taproot) commit to everything; anything else is reported.
    private static string? SighashNote(PsbtInput input, TxOutput spent)
    {
        if (input.SighashType is not { } type || type == SighashType.All) return null;
        if (type == SighashType.Default && BitcoinScript.IsP2tr(spent.ScriptPubKey)) return null;
        return $"{input.Name}.sighash:{SighashType.Describe(type)}";
    }
}
