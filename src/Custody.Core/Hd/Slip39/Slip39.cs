using System.Security.Cryptography;
using Custody.Core.Crypto;

namespace Custody.Core.Hd.Slip39;

/// <summary>
/// SLIP-39 Shamir backups of a master secret: the secret is encrypted with the
/// passphrase (<see cref="Slip39Cipher"/>), split among groups (group threshold of
/// group count), and each group's share split again among its members. Randomness
/// comes from the caller — the HSM's generator in production.
/// </summary>
public static class Slip39
{
    /// <summary>2^1 × 10000 PBKDF2 iterations, the default of Trezor and python-shamir-mnemonic.</summary>
    public const int DefaultIterationExponent = 1;
    public const int MaxIterationExponent = 15;

    /// <summary>
    /// The mnemonics of a new backup, one list per group in group order.
    /// <paramref name="random"/> returns that many uniformly random bytes.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Generate(
        ReadOnlySpan<byte> masterSecret,
        ReadOnlySpan<byte> passphrase,
        int groupThreshold,
        IReadOnlyList<Slip39Group> groups,
        Func<int, byte[]> random,
        int iterationExponent = DefaultIterationExponent,
        bool extendable = true)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(random);
        if (masterSecret.Length < Slip39Share.MinSecretBytes || masterSecret.Length > Slip39Share.MaxSecretBytes || masterSecret.Length % 2 != 0)
            throw new InvalidInputException("master_secret",
                $"must be an even number of bytes between {Slip39Share.MinSecretBytes} and {Slip39Share.MaxSecretBytes}");
        CheckPassphrase(passphrase);
        CheckPlan(groupThreshold, groups);
        if (iterationExponent is < 0 or > MaxIterationExponent)
            throw new InvalidInputException("iteration_exponent", $"must be between 0 and {MaxIterationExponent}");

        var idBytes = Shamir.RandomBytes(random, 2);
        var identifier = ((idBytes[0] << 8) | idBytes[1]) & 0x7FFF;

        var encrypted = PinnedArray.Allocate(masterSecret.Length);
        SharePoint[] groupShares = [];
        try
        {
            Slip39Cipher.Encrypt(masterSecret, passphrase, iterationExponent, identifier, extendable, encrypted);
            groupShares = Shamir.Split(groupThreshold, groups.Count, encrypted, random);
            var result = new List<IReadOnlyList<string>>(groups.Count);
            for (var g = 0; g < groups.Count; g++)
            {
                var memberShares = Shamir.Split(groups[g].Threshold, groups[g].Count, groupShares[g].Y, random);
                try
                {
                    result.Add(memberShares.Select(m =>
                    {
                        using var share = new Slip39Share(identifier, extendable, iterationExponent, g, groupThreshold,
                            groups.Count, m.X, groups[g].Threshold, m.Y);
                        return share.ToMnemonic();
                    }).ToList());
                }
                finally
                {
                    foreach (var m in memberShares) CryptographicOperations.ZeroMemory(m.Y);
                }
            }
            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encrypted);
            foreach (var s in groupShares) CryptographicOperations.ZeroMemory(s.Y);
        }
    }

    /// <summary>Recovers the master secret from a set of mnemonics, refusing an inconsistent or short set.</summary>
    public static Crypto.SecretBytes Recover(IEnumerable<string> mnemonics, ReadOnlySpan<byte> passphrase)
    {
        ArgumentNullException.ThrowIfNull(mnemonics);
        using var set = new Slip39ShareSet();
        foreach (var m in mnemonics)
            set.Add(m);
        return set.RecoverMasterSecret(passphrase);
    }

    /// <summary>Checks a backup plan: thresholds within counts, at most 16 groups and 16 members each.</summary>
    public static void CheckPlan(int groupThreshold, IReadOnlyList<Slip39Group> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count is < 1 or > Shamir.MaxShareCount)
            throw new InvalidInputException("groups", $"between 1 and {Shamir.MaxShareCount} groups, not {groups.Count}");
        if (groupThreshold < 1 || groupThreshold > groups.Count)
            throw new InvalidInputException("group_threshold", $"must be between 1 and the group count ({groups.Count}), not {groupThreshold}");
        for (var i = 0; i < groups.Count; i++)
        {
            var (threshold, count) = groups[i];
            if (count is < 1 or > Shamir.MaxShareCount)
                throw new InvalidInputException($"groups[{i + 1}]", $"between 1 and {Shamir.MaxShareCount} members, not {count}");
            if (threshold < 1 || threshold > count)
                throw new InvalidInputException($"groups[{i + 1}]", $"the member threshold must be between 1 and the member count ({count}), not {threshold}");
            if (threshold == 1 && count > 1)
                throw new InvalidInputException($"groups[{i + 1}]",
                    "1-of-N would hand out N copies of the same share; use 1-of-1 for a single member");
        }
    }

    /// <summary>SLIP-39 passphrases are printable ASCII so that any device can type them.</summary>
    internal static void CheckPassphrase(ReadOnlySpan<byte> passphrase)
    {
        foreach (var b in passphrase)
        {
            if (b is < 32 or > 126)
                throw new InvalidInputException("passphrase", "only printable ASCII characters are allowed");
        }
    }
}
