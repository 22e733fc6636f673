using System.Globalization;
using Custody.Core.Hd.Slip39;

namespace Custody.Core.Ceremony;

/// <summary>
/// A SLIP-39 backup: <see cref="GroupThreshold"/> of the groups, each group
/// recovered by its own member threshold. The master secret is the BIP32 seed.
/// </summary>
public sealed record Slip39Backup : BackupPlan
{
    public Slip39Backup(int groupThreshold, IReadOnlyList<Slip39Group> groups, int secretBits = 256)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Slip39.CheckPlan(groupThreshold, groups);
        if (secretBits is not (128 or 256))
            throw new InvalidInputException("bits", $"a SLIP-39 master secret has 128 or 256 bits, not {secretBits}");
        GroupThreshold = groupThreshold;
        Groups = [.. groups];
        SecretBits = secretBits;
    }

    public int GroupThreshold { get; }
    public IReadOnlyList<Slip39Group> Groups { get; }
    public int SecretBits { get; }
    public override int SecretLength => SecretBits / 8;
    public override int PieceCount => Groups.Sum(g => g.Count);

    /// <summary>
    /// "M-of-N" for one group of custodians, or "G:M1-of-N1,M2-of-N2,…" for G of
    /// several groups. The field named in errors is "slip39".
    /// </summary>
    public static Slip39Backup Parse(string text, int secretBits = 256)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        var groupThreshold = 1;
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            if (!int.TryParse(s[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out groupThreshold))
                throw new InvalidInputException("slip39", "the group threshold before ':' must be a number");
            s = s[(colon + 1)..];
        }
        var groups = s.Split(',').Select(ParseGroup).ToList();
        try
        {
            return new Slip39Backup(groupThreshold, groups, secretBits);
        }
        catch (InvalidInputException e) when (e.Field != "bits")
        {
            throw new InvalidInputException("slip39", e.Reason);
        }
    }

    private static Slip39Group ParseGroup(string text)
    {
        var parts = text.Trim().Split("-of-");
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var threshold)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            throw new InvalidInputException("slip39", "expected M-of-N (e.g. 2-of-3) or G:M-of-N,M-of-N,…");
        return new Slip39Group(threshold, count);
    }

    /// <summary>
    /// Splits <paramref name="masterSecret"/> (no passphrase: the shares alone restore the
    /// wallet) into one piece per custodian, labelled by group and member.
    /// </summary>
    public IReadOnlyList<BackupPiece> CreatePieces(ReadOnlySpan<byte> masterSecret, Func<int, byte[]> random)
    {
        if (masterSecret.Length != SecretLength)
            throw new InvalidInputException("master_secret", $"this plan takes {SecretLength} bytes");
        var mnemonics = Slip39.Generate(masterSecret, [], GroupThreshold, Groups, random);
        var pieces = new List<BackupPiece>(PieceCount);
        for (var g = 0; g < Groups.Count; g++)
        {
            for (var m = 0; m < mnemonics[g].Count; m++)
            {
                var member = $"share {m + 1} of {Groups[g].Count} (any {Groups[g].Threshold} recover{(Groups.Count > 1 ? " the group" : "")})";
                var label = Groups.Count == 1 ? member : $"group {g + 1} of {Groups.Count} ({GroupThreshold} groups needed), {member}";
                pieces.Add(new BackupPiece(pieces.Count + 1, label, mnemonics[g][m]));
            }
        }
        return pieces;
    }

    /// <summary>The SLIP-39 master secret is the BIP32 seed itself.</summary>
    public override BackupMaterial CreateMaterial(ReadOnlySpan<byte> secret, Func<int, byte[]> random)
    {
        var pieces = CreatePieces(secret, random);
        return new BackupMaterial(Crypto.SecretBytes.CopyFrom(secret), pieces);
    }

    public override string Describe()
    {
        var groups = Groups.Count == 1 && GroupThreshold == 1
            ? Groups[0].ToString()
            : $"{GroupThreshold} of {Groups.Count} groups ({string.Join(", ", Groups)})";
        return $"SLIP-39 {groups}, {SecretBits}-bit";
    }

    public bool Equals(Slip39Backup? other) =>
        other is not null && GroupThreshold == other.GroupThreshold && SecretBits == other.SecretBits && Groups.SequenceEqual(other.Groups);

    public override int GetHashCode() => HashCode.Combine(GroupThreshold, SecretBits, Groups.Count);
}
