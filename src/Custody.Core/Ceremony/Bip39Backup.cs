namespace Custody.Core.Ceremony;

/// <summary>A BIP39 mnemonic of 12, 15, 18, 21 or 24 words: one piece, for one custodian.</summary>
public sealed record Bip39Backup : BackupPlan
{
    public Bip39Backup(int words = 24)
    {
        if (words is not (12 or 15 or 18 or 21 or 24))
            throw new InvalidInputException("words", $"a BIP39 mnemonic has 12, 15, 18, 21 or 24 words, not {words}");
        Words = words;
    }

    public int Words { get; }

    /// <summary>Each word carries 11 bits; one bit in 33 is checksum, so entropy = words × 4 / 3 bytes.</summary>
    public override int SecretLength => Words * 4 / 3;

    public override int PieceCount => 1;

    public override string Describe() => $"BIP39 {Words} words";
}
