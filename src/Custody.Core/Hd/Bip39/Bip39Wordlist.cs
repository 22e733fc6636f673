using System.Text;

namespace Custody.Core.Hd.Bip39;

/// <summary>
/// A BIP39 word list: 2048 words, each standing for an 11-bit value. Only the
/// English list is carried (english.txt, verbatim from bitcoin/bips), since it is
/// the one every wallet and HSM vendor accepts.
/// </summary>
public sealed class Bip39Wordlist
{
    public const int Size = 2048;

    private readonly string[] _words;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private Bip39Wordlist(string[] words)
    {
        if (words.Length != Size)
            throw new InvalidOperationException($"a BIP39 word list has {Size} words, this one {words.Length}");
        _words = words;
        var index = new Dictionary<string, int>(Size, StringComparer.Ordinal);
        for (var i = 0; i < words.Length; i++) index.Add(words[i], i);
        _lookup = index.GetAlternateLookup<ReadOnlySpan<char>>();
        MaxWordLength = words.Max(w => w.Length);
    }

    public static Bip39Wordlist English { get; } = Load("Custody.Core.Hd.Bip39.english.txt");

    /// <summary>The longest word, in characters (8 for English).</summary>
    public int MaxWordLength { get; }

    /// <summary>The word for an 11-bit value.</summary>
    public string this[int index] => _words[index];

    /// <summary>The 11-bit value of an exact (lower-case, normalised) word.</summary>
    public bool TryGetIndex(ReadOnlySpan<char> word, out int index) => _lookup.TryGetValue(word, out index);

    private static Bip39Wordlist Load(string resource)
    {
        using var stream = typeof(Bip39Wordlist).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded word list {resource} is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var words = new List<string>(Size);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) words.Add(line);
        return new Bip39Wordlist([.. words]);
    }
}
