namespace Custody.Core.Ceremony;

/// <summary>
/// What one custodian takes away: a label that says which piece it is (not secret,
/// goes to the record and the audit log) and the words (secret: shown to that
/// custodian only, never logged — <see cref="ToString"/> gives the label alone).
/// </summary>
public sealed class BackupPiece
{
    public BackupPiece(int number, string label, string words)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        ArgumentException.ThrowIfNullOrWhiteSpace(words);
        Number = number;
        Label = label;
        Words = words;
    }

    /// <summary>1-based position in the ceremony, also used to name the share file.</summary>
    public int Number { get; }

    /// <summary>E.g. "group 1, share 2 of 3 (2 needed)" or "BIP39 mnemonic".</summary>
    public string Label { get; }

    /// <summary>The mnemonic, words separated by single spaces.</summary>
    public string Words { get; }

    public int WordCount => Words.Split(' ').Length;

    public override string ToString() => $"piece {Number}: {Label}";
}
