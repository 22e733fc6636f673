namespace Custody.Core.Ceremony;

/// <summary>
/// The confirmation step of a ceremony: each custodian re-enters words of their
/// piece at positions they cannot predict, which shows the words were written down
/// correctly before the screen is cleared for the next custodian.
/// </summary>
public sealed class WordCheck
{
    private readonly string[] _words;

    public WordCheck(BackupPiece piece, IReadOnlyList<int> positions)
    {
        ArgumentNullException.ThrowIfNull(piece);
        ArgumentNullException.ThrowIfNull(positions);
        _words = piece.Words.Split(' ');
        foreach (var p in positions)
        {
            if (p < 1 || p > _words.Length)
                throw new ArgumentOutOfRangeException(nameof(positions), $"word positions are 1..{_words.Length}");
        }
        Positions = [.. positions];
    }

    /// <summary>1-based word positions to ask for, in the order to ask.</summary>
    public IReadOnlyList<int> Positions { get; }

    /// <summary>
    /// Draws <paramref name="count"/> distinct positions using <paramref name="random"/>
    /// (random bytes, the HSM's generator in a ceremony). Rejection sampling keeps
    /// every position equally likely.
    /// </summary>
    public static WordCheck Random(BackupPiece piece, Func<int, byte[]> random, int count = 2)
    {
        ArgumentNullException.ThrowIfNull(piece);
        ArgumentNullException.ThrowIfNull(random);
        var wordCount = piece.WordCount;
        if (count < 1 || count > wordCount)
            throw new ArgumentOutOfRangeException(nameof(count), $"between 1 and {wordCount} words");
        var positions = new List<int>(count);
        var limit = 256 - 256 % wordCount; // bytes ≥ limit would favour the first positions
        while (positions.Count < count)
        {
            foreach (var b in random(count))
            {
                if (b >= limit) continue;
                var position = b % wordCount + 1;
                if (!positions.Contains(position) && positions.Count < count)
                    positions.Add(position);
            }
        }
        return new WordCheck(piece, positions);
    }

    /// <summary>True when <paramref name="entered"/> is the word at <paramref name="position"/> (case and spaces ignored).</summary>
    public bool Matches(int position, string? entered) =>
        entered is not null && string.Equals(entered.Trim(), _words[position - 1], StringComparison.OrdinalIgnoreCase);
}
