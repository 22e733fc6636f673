using System.Globalization;
using System.Text;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;

namespace Custody.Core.Chains.Bitcoin.Descriptors;

/// <summary>How a descriptor key ends: a fixed key, or an extended key with a final /* step.</summary>
public enum DescriptorWildcard
{
    None,
    Unhardened,
}

/// <summary>
/// A BIP380 key expression, public only: an optional origin [fingerprint/path], then a
/// hex public key (33 or 65 bytes, or 32 x-only inside tr()) or an extended public key with
/// a derivation path, at most one BIP389 multipath step &lt;a;b;…&gt;, and an optional final /*.
/// A private key given to the parser is turned into its public key at once (see
/// <see cref="DescriptorParser"/>); nothing secret is kept.
/// </summary>
public sealed class DescriptorKey
{
    private readonly byte[]? _publicKey;

    internal DescriptorKey(KeyOrigin? origin, byte[]? publicKey, ExtendedPublicKey? extended, uint[] path, int multipathStep,
        uint[] multipath, DescriptorWildcard wildcard, bool xOnly)
    {
        Origin = origin;
        _publicKey = publicKey;
        Extended = extended;
        Path = path;
        MultipathStep = multipathStep;
        Multipath = multipath;
        Wildcard = wildcard;
        XOnly = xOnly;
    }

    /// <summary>Where the key (or extended key) itself comes from, when the descriptor says.</summary>
    public KeyOrigin? Origin { get; }

    public ExtendedPublicKey? Extended { get; }

    /// <summary>Steps after the extended key, the multipath step holding a placeholder.</summary>
    public IReadOnlyList<uint> Path { get; }

    /// <summary>The position of the multipath step in <see cref="Path"/>, or -1.</summary>
    public int MultipathStep { get; }

    /// <summary>The alternatives of the multipath step (receive;change…), empty without one.</summary>
    public IReadOnlyList<uint> Multipath { get; }

    public DescriptorWildcard Wildcard { get; }

    /// <summary>Written as a 32-byte x-only key (allowed inside tr() only).</summary>
    public bool XOnly { get; }

    public bool IsRanged => Wildcard != DescriptorWildcard.None;

    /// <summary>Whether the key is an uncompressed (65-byte) one.</summary>
    public bool IsUncompressed => _publicKey is { Length: 65 };

    /// <summary>The number of multipath alternatives, 1 without a multipath step.</summary>
    public int Branches => MultipathStep < 0 ? 1 : Multipath.Count;

    /// <summary>
    /// The key at <paramref name="index"/> (ignored when not ranged) on multipath branch
    /// <paramref name="branch"/>, as 33 bytes (65 for an uncompressed key; x-only keys are
    /// given the even prefix 0x02), with its full origin when one can be stated.
    /// </summary>
    public DerivedKey Derive(int branch, uint index)
    {
        if (Extended is null)
        {
            var key = XOnly ? [0x02, .. _publicKey!] : _publicKey!;
            return new DerivedKey(key, Origin);
        }
        var steps = new List<uint>(Path.Count + 1);
        for (var i = 0; i < Path.Count; i++)
            steps.Add(i == MultipathStep ? Multipath[Math.Min(branch, Multipath.Count - 1)] : Path[i]);
        if (IsRanged) steps.Add(index);
        var tail = KeyPath.FromIndexes([.. steps]);
        var derived = Extended.Derive(tail);
        var origin = Origin is { } o
            ? new KeyOrigin(o.Fingerprint, o.Path.Append(tail))
            : new KeyOrigin(Extended.Fingerprint.Value, tail);
        return new DerivedKey(derived.PublicKey.ToArray(), origin);
    }

    /// <summary>The key expression as a descriptor writes it (h for hardened; extended keys in <paramref name="network"/>'s version).</summary>
    public string ToString(BitcoinNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var text = new StringBuilder();
        if (Origin is { } origin)
        {
            text.Append('[').Append(origin.Fingerprint.ToString("x8", CultureInfo.InvariantCulture));
            foreach (var step in origin.Path.Indexes) text.Append('/').Append(Step(step));
            text.Append(']');
        }
        if (Extended is null)
        {
            text.Append(Convert.ToHexStringLower(_publicKey!));
            return text.ToString();
        }
        text.Append(Extended.ToBase58(network));
        for (var i = 0; i < Path.Count; i++)
        {
            text.Append('/');
            if (i == MultipathStep) text.Append('<').AppendJoin(';', Multipath.Select(Step)).Append('>');
            else text.Append(Step(Path[i]));
        }
        if (IsRanged) text.Append("/*");
        return text.ToString();
    }

    private static string Step(uint index) => KeyPath.IsHardenedIndex(index)
        ? (index & ~KeyPath.HardenedBit).ToString(CultureInfo.InvariantCulture) + "h"
        : index.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A key a descriptor gives at one index: the public key and, when known, its origin (what a PSBT's bip32_derivation states).</summary>
public sealed record DerivedKey(byte[] PublicKey, KeyOrigin? Origin)
{
    /// <summary>The 32-byte x-only form (taproot).</summary>
    public byte[] XOnly => PublicKey.Length == 33 ? PublicKey[1..] : throw new InvalidOperationException("an uncompressed key has no x-only form here");
}
