using System.Globalization;
using Custody.Core.Chains;

namespace Custody.Core.Policy;

/// <summary>
/// How the policy reads <see cref="TransactionIntent.Notes"/> and a message's
/// <see cref="SigningRequest.MessageNotes"/>. A note is a fact a decoder
/// found ("input[1].sighash:NONE", "erc20:approve", "contract-creation"); any note refuses
/// the request unless the chain's allowNotes lists it. Measurements (virtual size, calldata
/// digest) are typed fields of the intent, not notes.
/// </summary>
public static class IntentNotes
{
    public const string ContractCreation = "contract-creation";

    /// <summary>The note without its "input[3]." / "output[0]." position, which the policy does not match on.</summary>
    public static string WithoutPosition(string note)
    {
        var bracket = note.IndexOf('[', StringComparison.Ordinal);
        var close = note.IndexOf("].", StringComparison.Ordinal);
        if (bracket <= 0 || close < bracket || !note.AsSpan(0, bracket).ToString().All(char.IsAsciiLetterLower)) return note;
        return note.AsSpan(bracket + 1, close - bracket - 1).ToString().All(char.IsAsciiDigit) ? note[(close + 2)..] : note;
    }

    /// <summary>The first note <paramref name="allowNotes"/> does not list; positions are not matched.</summary>
    public static string? FirstUnlisted(IEnumerable<string> notes, IReadOnlyCollection<string> allowNotes) =>
        notes.FirstOrDefault(note => !allowNotes.Any(pattern => Matches(pattern, WithoutPosition(note))));

    /// <summary>An allowNotes entry matches the note exactly, or as a prefix when it ends with '*'.</summary>
    public static bool Matches(string pattern, string note) =>
        pattern.EndsWith('*') ? note.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == note;
}
