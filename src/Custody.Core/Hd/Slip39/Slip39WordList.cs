using System.Collections.Frozen;
using System.Reflection;

namespace Custody.Core.Hd.Slip39;

/// <summary>
/// The 1024 words of SLIP-39 (satoshilabs/slips slip-0039/wordlist.txt), embedded
/// as a resource. Each word carries 10 bits; the index of a word is its value.
/// </summary>
public static class Slip39WordList
{
    public const int Size = 1024;

    private static readonly string[] Words = Load();
    private const int MaxWordLength = 8;
    private static readonly FrozenDictionary<string, int> Indexes =
        Words.Select((word, index) => (word, index)).ToFrozenDictionary(p => p.word, p => p.index, StringComparer.Ordinal);
    private static readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> SpanIndexes =
        Indexes.GetAlternateLookup<ReadOnlySpan<char>>();

    public static string Word(int index) => Words[index];

    /// <summary>The index of a lower-case word, or false when it is not in the list.</summary>
    public static bool TryGetIndex(string word, out int index) => Indexes.TryGetValue(word, out index);

    /// <summary>
    /// The index of a word in any letter case, without making a string of it (the words
    /// of a share are secret); false when it is not in the list.
    /// </summary>
    public static bool TryGetIndex(ReadOnlySpan<char> word, out int index)
    {
        index = -1;
        if (word.Length > MaxWordLength) return false;
        Span<char> lower = stackalloc char[MaxWordLength];
        var length = word.ToLowerInvariant(lower);
        var found = length >= 0 && SpanIndexes.TryGetValue(lower[..length], out index);
        lower.Clear();
        return found;
    }

    private static string[] Load()
    {
        using var stream = typeof(Slip39WordList).Assembly.GetManifestResourceStream("Custody.Core.Hd.Slip39.wordlist.txt")
            ?? throw new InvalidOperationException("the SLIP-39 word list resource is missing from the assembly");
        using var reader = new StreamReader(stream);
        var words = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length != Size)
            throw new InvalidOperationException($"the SLIP-39 word list has {words.Length} words, expected {Size}");
        return words;
    }
}
