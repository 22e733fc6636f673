using System.Globalization;
using Custody.Core.Chains;

namespace Custody.Core.Policy;

/// <summary>
/// How the policy reads <see cref="TransactionIntent.Notes"/> and a message's
/// <see cref="SigningRequest.MessageNotes"/>. A note is a fact a decoder
/// found ("input[1].sighash:NONE", "erc20:approve", "contract-creation"); any note refuses
/// the request unless the chain's allowNotes lists it — except the measurements below,
/// which carry numbers, not risks.
/// </summary>
public static class IntentNotes
{
    /// <summary>"vsize:N": the transaction's virtual size in vbytes (Bitcoin family), for the fee-rate cap.</summary>
    public const string VirtualSizePrefix = "vsize:";

    /// <summary>"calldata-sha256:hex": digest of EVM call data, so that a fee bump can be proven to carry the same data.</summary>
    public const string CalldataDigestPrefix = "calldata-sha256:";

    public const string ContractCreation = "contract-creation";

    public static bool IsMeasurement(string note) =>
        note.StartsWith(VirtualSizePrefix, StringComparison.Ordinal) ||
        note.StartsWith(CalldataDigestPrefix, StringComparison.Ordinal);

    /// <summary>The note without its "input[3]." / "output[0]." position, which the policy does not match on.</summary>
    public static string WithoutPosition(string note)
    {
        var bracket = note.IndexOf('[', StringComparison.Ordinal);
        var close = note.IndexOf("].", StringComparison.Ordinal);
        if (bracket <= 0 || close < bracket || !note.AsSpan(0, bracket).ToString().All(char.IsAsciiLetterLower)) return note;
        return note.AsSpan(bracket + 1, close - bracket - 1).ToString().All(char.IsAsciiDigit) ? note[(close + 2)..] : note;
    }

    public static bool TryGetVirtualSize(TransactionIntent intent, out long vsize)
    {
        ArgumentNullException.ThrowIfNull(intent);
        vsize = 0;
        var notes = intent.Notes.Where(n => n.StartsWith(VirtualSizePrefix, StringComparison.Ordinal)).ToArray();
        return notes.Length == 1 &&
               long.TryParse(notes[0].AsSpan(VirtualSizePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out vsize) &&
               vsize > 0;
    }

    public static string? CalldataDigest(TransactionIntent intent) =>
        intent.Notes.SingleOrDefault(n => n.StartsWith(CalldataDigestPrefix, StringComparison.Ordinal));

    /// <summary>The first note <paramref name="allowNotes"/> does not list: measurements never refuse, positions are not matched.</summary>
    public static string? FirstUnlisted(IEnumerable<string> notes, IReadOnlyCollection<string> allowNotes) =>
        notes.FirstOrDefault(note => !IsMeasurement(note) && !allowNotes.Any(pattern => Matches(pattern, WithoutPosition(note))));

    /// <summary>An allowNotes entry matches the note exactly, or as a prefix when it ends with '*'.</summary>
    public static bool Matches(string pattern, string note) =>
        pattern.EndsWith('*') ? note.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == note;
}
