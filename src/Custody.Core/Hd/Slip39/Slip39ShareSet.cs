using System.Security.Cryptography;
using Custody.Core.Crypto;

namespace Custody.Core.Hd.Slip39;

/// <summary>
/// Shares collected for one recovery. Each share is checked against those already
/// added as it comes in, so an interactive restore can refuse a stray share at
/// once and tell the operator what is still missing. Shares are numbered from 1
/// in the order they were added; messages name them by that number.
/// </summary>
public sealed class Slip39ShareSet : IDisposable
{
    private readonly List<Slip39Share> _shares = [];

    public int Count => _shares.Count;

    /// <summary>Parses and adds a mnemonic; the field of an error is "shares[n]" (n from 1).</summary>
    public Slip39Share Add(string mnemonic) => Add((mnemonic ?? "").AsSpan());

    /// <summary>As <see cref="Add(string)"/>, for a mnemonic in a buffer the caller clears.</summary>
    public Slip39Share Add(ReadOnlySpan<char> mnemonic)
    {
        var field = $"shares[{_shares.Count + 1}]";
        var share = Slip39Share.Parse(mnemonic, field);
        try
        {
            CheckFits(share, field);
        }
        catch
        {
            share.Dispose();
            throw;
        }
        _shares.Add(share);
        return share;
    }

    private void CheckFits(Slip39Share share, string field)
    {
        if (_shares.Count == 0) return;
        var first = _shares[0];
        if (share.Identifier != first.Identifier || share.Extendable != first.Extendable)
            throw new InvalidInputException(field, "this share belongs to a different backup than share 1 (the identifiers differ)");
        if (share.IterationExponent != first.IterationExponent)
            throw new InvalidInputException(field, "this share has a different iteration exponent than share 1");
        if (share.GroupThreshold != first.GroupThreshold)
            throw new InvalidInputException(field, $"this share has group threshold {share.GroupThreshold}, share 1 has {first.GroupThreshold}");
        if (share.GroupCount != first.GroupCount)
            throw new InvalidInputException(field, $"this share has group count {share.GroupCount}, share 1 has {first.GroupCount}");
        if (share.ValueLength != first.ValueLength)
            throw new InvalidInputException(field, "this share has a different length than share 1");

        for (var i = 0; i < _shares.Count; i++)
        {
            var other = _shares[i];
            if (other.GroupIndex != share.GroupIndex) continue;
            if (other.MemberThreshold != share.MemberThreshold)
                throw new InvalidInputException(field,
                    $"this share has member threshold {share.MemberThreshold} in group {share.GroupIndex + 1}, share {i + 1} has {other.MemberThreshold}");
            if (other.MemberIndex == share.MemberIndex)
            {
                throw new InvalidInputException(field, CryptographicOperations.FixedTimeEquals(other.Value, share.Value)
                    ? $"this share was already given as share {i + 1}"
                    : $"this share has the same member index ({share.MemberIndex + 1} of group {share.GroupIndex + 1}) as share {i + 1} but a different value");
            }
        }
    }

    /// <summary>True when enough groups hold enough shares to attempt the recovery.</summary>
    public bool IsComplete => _shares.Count > 0 && CompleteGroups().Count() >= _shares[0].GroupThreshold;

    /// <summary>What is still needed, in words; empty when complete.</summary>
    public string Missing()
    {
        if (_shares.Count == 0) return "no shares given";
        if (IsComplete) return "";
        var first = _shares[0];
        var partial = Groups()
            .Where(g => g.Count() < g.First().MemberThreshold)
            .Select(g => (Group: g.Key + 1, Have: g.Count(), Threshold: g.First().MemberThreshold))
            .OrderBy(g => g.Threshold - g.Have)
            .ToList();
        if (first.GroupCount == 1)
        {
            var g = partial[0];
            return $"{Plural(g.Threshold - g.Have, "more share")} needed ({g.Have} of {g.Threshold} given)";
        }

        var complete = CompleteGroups().Count();
        var missingGroups = first.GroupThreshold - complete;
        var parts = new List<string> { $"{complete} of {first.GroupThreshold} required groups complete" };
        parts.AddRange(partial.Select(g => $"group {g.Group} needs {Plural(g.Threshold - g.Have, "more share")} ({g.Have} of {g.Threshold} given)"));
        if (partial.Count < missingGroups)
            parts.Add($"{Plural(missingGroups - partial.Count, "more group")} needed from which no share was given");
        return string.Join("; ", parts);
    }

    /// <summary>
    /// Recovers and decrypts the master secret. All shares of every complete group
    /// are used (a surplus share must agree with the others), groups still short of
    /// their threshold are left out once enough groups are complete.
    /// </summary>
    public SecretBytes RecoverMasterSecret(ReadOnlySpan<byte> passphrase)
    {
        Slip39.CheckPassphrase(passphrase);
        if (_shares.Count == 0)
            throw new InvalidInputException("shares", "no shares given");
        if (!IsComplete)
            throw new InvalidInputException("shares", $"not enough shares: {Missing()}");

        var first = _shares[0];
        var groupPoints = new List<SharePoint>();
        try
        {
            foreach (var group in CompleteGroups())
            {
                var members = group.Select(s => new SharePoint((byte)s.MemberIndex, PinnedArray.CopyOf(s.Value))).ToList();
                try
                {
                    var groupSecret = Shamir.Recover(group.First().MemberThreshold, members)
                        ?? throw new InvalidInputException("shares",
                            $"the shares of group {group.Key + 1} do not fit together (digest mismatch): one of them is wrong or from another backup");
                    groupPoints.Add(new SharePoint((byte)group.Key, groupSecret));
                }
                finally
                {
                    foreach (var m in members) CryptographicOperations.ZeroMemory(m.Y);
                }
            }

            var encrypted = Shamir.Recover(first.GroupThreshold, groupPoints)
                ?? throw new InvalidInputException("shares",
                    "the groups do not fit together (digest mismatch): a share is wrong or from another backup");
            try
            {
                var secret = new SecretBytes(encrypted.Length);
                Slip39Cipher.Decrypt(encrypted, passphrase, first.IterationExponent, first.Identifier, first.Extendable, secret.WritableSpan);
                return secret;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(encrypted);
            }
        }
        finally
        {
            foreach (var p in groupPoints) CryptographicOperations.ZeroMemory(p.Y);
        }
    }

    private IEnumerable<IGrouping<int, Slip39Share>> Groups() => _shares.GroupBy(s => s.GroupIndex).OrderBy(g => g.Key);

    private IEnumerable<IGrouping<int, Slip39Share>> CompleteGroups() =>
        Groups().Where(g => g.Count() >= g.First().MemberThreshold);

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    public void Dispose()
    {
        foreach (var s in _shares) s.Dispose();
        _shares.Clear();
    }
}
