using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Custody.Core.Hd;

/// <summary>
/// A BIP32 derivation path such as m/84'/0'/0'/0/5: an immutable list of child
/// indexes, hardened ones carrying bit 31. Parses both ' and h notations; prints '.
/// </summary>
public sealed class KeyPath : IEquatable<KeyPath>
{
    public const uint HardenedBit = 0x8000_0000;
    private const int MaxDepth = 255; // BIP32 serialises depth in one byte

    private readonly uint[] _indexes;

    public static KeyPath Root { get; } = new([]);

    private KeyPath(uint[] indexes) => _indexes = indexes;

    public static KeyPath FromIndexes(ReadOnlySpan<uint> indexes)
    {
        if (indexes.Length > MaxDepth)
            throw new InvalidInputException("path", $"deeper than {MaxDepth} levels");
        return new KeyPath(indexes.ToArray());
    }

    public int Depth => _indexes.Length;

    public ReadOnlySpan<uint> Indexes => _indexes;

    public uint this[int level] => _indexes[level];

    /// <summary>The last index, or null at the root.</summary>
    public uint? Last => _indexes.Length == 0 ? null : _indexes[^1];

    public bool IsFullyHardened => Array.TrueForAll(_indexes, IsHardenedIndex);

    public static bool IsHardenedIndex(uint index) => (index & HardenedBit) != 0;

    public KeyPath Child(uint index)
    {
        if (_indexes.Length >= MaxDepth)
            throw new InvalidInputException("path", $"deeper than {MaxDepth} levels");
        var next = new uint[_indexes.Length + 1];
        _indexes.CopyTo(next, 0);
        next[^1] = index;
        return new KeyPath(next);
    }

    public KeyPath Hardened(uint index) => Child(index | HardenedBit);

    public KeyPath Append(KeyPath tail)
    {
        if (_indexes.Length + tail._indexes.Length > MaxDepth)
            throw new InvalidInputException("path", $"deeper than {MaxDepth} levels");
        return new KeyPath([.. _indexes, .. tail._indexes]);
    }

    /// <summary>The path without its last <paramref name="levels"/> levels.</summary>
    public KeyPath Parent(int levels = 1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(levels, _indexes.Length);
        return new KeyPath(_indexes[..^levels]);
    }

    public bool StartsWith(KeyPath prefix) =>
        prefix._indexes.Length <= _indexes.Length &&
        _indexes.AsSpan(0, prefix._indexes.Length).SequenceEqual(prefix._indexes);

    public static KeyPath Parse(string text)
    {
        if (TryParse(text, out var path, out var error)) return path;
        throw new InvalidInputException("path", error);
    }

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out KeyPath? path) =>
        TryParse(text, out path, out _);

    private static bool TryParse(string? text, [NotNullWhen(true)] out KeyPath? path, out string error)
    {
        path = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty path";
            return false;
        }
        var parts = text.Trim().Split('/');
        var start = parts[0] is "m" or "M" ? 1 : 0;
        if (parts.Length - start > MaxDepth)
        {
            error = $"deeper than {MaxDepth} levels";
            return false;
        }
        var indexes = new uint[parts.Length - start];
        for (var i = start; i < parts.Length; i++)
        {
            var part = parts[i];
            var hardened = part.Length > 0 && part[^1] is '\'' or 'h' or 'H';
            var digits = hardened ? part[..^1] : part;
            if (digits.Length == 0 || !digits.All(char.IsAsciiDigit) ||
                !uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                error = $"'{Truncate(part)}' at level {i - start + 1} is not an index (expected e.g. 44' or 0)";
                return false;
            }
            if (index >= HardenedBit)
            {
                error = $"index {digits} at level {i - start + 1} is not below 2^31 (mark hardened steps with ')";
                return false;
            }
            indexes[i - start] = hardened ? index | HardenedBit : index;
        }
        path = new KeyPath(indexes);
        error = "";
        return true;
    }

    private static string Truncate(string s) => s.Length <= 16 ? s : s[..16] + "…";

    public override string ToString()
    {
        var sb = new StringBuilder("m");
        foreach (var index in _indexes)
        {
            sb.Append('/').Append((index & ~HardenedBit).ToString(CultureInfo.InvariantCulture));
            if (IsHardenedIndex(index)) sb.Append('\'');
        }
        return sb.ToString();
    }

    public bool Equals(KeyPath? other) => other is not null && _indexes.AsSpan().SequenceEqual(other._indexes);

    public override bool Equals(object? obj) => Equals(obj as KeyPath);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var index in _indexes) hash.Add(index);
        return hash.ToHashCode();
    }

    public static bool operator ==(KeyPath? a, KeyPath? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(KeyPath? a, KeyPath? b) => !(a == b);
}
