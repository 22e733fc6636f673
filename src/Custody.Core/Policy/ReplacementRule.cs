using System.Globalization;
using Custody.Core.Chains;

namespace Custody.Core.Policy;

/// <summary>
/// When a transaction may replace one already signed under the same replay key, for a
/// policy that allows replacements: it must do the same thing and differ only in its fee.
/// EVM: the same outputs, call (contract, selector, value), sources and notes, and for a
/// call the same calldata digest ("calldata-sha256:" note) — without it the data cannot be
/// proven equal, so no replacement; an ERC-20 call (decoded in full into outputs) must keep
/// its digest when both intents carry one (an intent signed before the decoder emitted the
/// digest carries none). Bitcoin family (RBF): the same non-change outputs; change
/// and inputs may differ. TRON and Solana: no replacement.
/// </summary>
public static class ReplacementRule
{
    public static bool Allows(ChainFamily family, TransactionIntent previous, TransactionIntent next, out string reason)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        reason = "";
        if (previous.Chain != next.Chain)
        {
            reason = $"it is for chain {next.Chain}, the signed one for {previous.Chain}";
            return false;
        }
        switch (family)
        {
            case ChainFamily.Bitcoin:
                if (Payments(previous, skipChange: true).SequenceEqual(Payments(next, skipChange: true))) return true;
                reason = "a replacement must pay exactly the same non-change outputs";
                return false;
            case ChainFamily.Evm:
                if (!Payments(previous, skipChange: false).SequenceEqual(Payments(next, skipChange: false)))
                    reason = "a fee bump must keep the same destination and value";
                else if (previous.Call != next.Call)
                    reason = "a fee bump must keep the same contract call";
                else if (!Facts(previous).SequenceEqual(Facts(next)))
                    reason = "a fee bump must keep the same sources and notes";
                else if (next.Call is not null && (IntentNotes.CalldataDigest(next) is null ||
                                                   IntentNotes.CalldataDigest(next) != IntentNotes.CalldataDigest(previous)))
                    reason = "a fee bump of a contract call needs the same calldata digest, which the intent does not prove";
                else if (IntentNotes.CalldataDigest(previous) is { } before && IntentNotes.CalldataDigest(next) is { } after && before != after)
                    reason = "a fee bump must keep the same calldata digest";
                return reason.Length == 0;
            default:
                reason = $"no transaction of the {family} family may replace another";
                return false;
        }
    }

    private static IEnumerable<string> Payments(TransactionIntent intent, bool skipChange) => intent.Outputs
        .Where(o => !(skipChange && o.IsChange))
        .Select(o => $"{o.Destination}|{o.Asset}|{o.Amount.ToString(CultureInfo.InvariantCulture)}|{o.IsChange}")
        .Order(StringComparer.Ordinal);

    private static IEnumerable<string> Facts(TransactionIntent intent) => intent.Sources.Select(s => "source:" + s)
        // measurements are compared on their own above (a digest) or may differ (a vsize)
        .Concat(intent.Notes.Where(n => !IntentNotes.IsMeasurement(n)))
        .Order(StringComparer.Ordinal);
}
