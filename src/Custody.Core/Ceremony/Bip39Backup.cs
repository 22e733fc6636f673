using Custody.Core.Hd.Bip39;

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

    /// <summary>
    /// Entropy → mnemonic → 64-byte seed (empty passphrase: the words alone restore the
    /// wallet). The one piece is the mnemonic.
    /// </summary>
    public override BackupMaterial CreateMaterial(ReadOnlySpan<byte> secret, Func<int, byte[]> random)
    {
        if (secret.Length != SecretLength)
            throw new InvalidInputException("entropy", $"this plan takes {SecretLength} bytes");
        using var mnemonic = Mnemonic.FromEntropy(secret);
        var words = string.Join(' ', Enumerable.Range(0, mnemonic.WordCount).Select(mnemonic.GetWord));
        return new BackupMaterial(mnemonic.ToSeed([]), [new BackupPiece(1, $"BIP39 mnemonic, {Words} words", words)]);
    }

    public override string Describe() => $"BIP39 {Words} words";
}
