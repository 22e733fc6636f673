using Custody.Core.Chains.Bitcoin.Wire;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// A PSBT key-value map in wire order, keys unique. It is immutable: changes
/// return a new map, and new keys are inserted in key order (the order Bitcoin Core
/// writes), so a sorted map stays sorted and an unsorted one keeps its order.
/// </summary>
public sealed class PsbtMap
{
    private readonly PsbtKeyValue[] _entries;

    public static PsbtMap Empty { get; } = new([]);

    private PsbtMap(PsbtKeyValue[] entries) => _entries = entries;

    public IReadOnlyList<PsbtKeyValue> Entries => _entries;

    public int Count => _entries.Length;

    /// <summary>
    /// Reads entries up to the 0x00 separator. A repeated key is refused, naming the
    /// map and the field (<paramref name="fieldName"/> maps a key type to its BIP174 name).
    /// </summary>
    internal static PsbtMap Read(ref WireReader reader, string mapName, Func<ulong, string> fieldName)
    {
        if (reader.IsAtEnd) throw new InvalidInputException(mapName, "missing: the PSBT ends before this map");
        var entries = new List<PsbtKeyValue>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var key = reader.ReadVarBytes(mapName + ".key");
            if (key.IsEmpty) break; // the separator ends the map
            var value = reader.ReadVarBytes(mapName + ".value");
            var entry = PsbtKeyValue.FromWire(key, value, mapName);
            if (!seen.Add(Convert.ToBase64String(key)))
                throw new InvalidInputException($"{mapName}.{fieldName(entry.KeyType)}",
                    $"duplicate key (type 0x{entry.KeyType:x2}{(entry.KeyData.IsEmpty ? "" : ", key data " + Abbreviate(entry.KeyData))})");
            entries.Add(entry);
        }
        return new PsbtMap([.. entries]);
    }

    internal void Write(WireWriter writer)
    {
        foreach (var entry in _entries) entry.Write(writer);
        writer.WriteByte(0x00);
    }

    public PsbtKeyValue? Find(ulong keyType, ReadOnlySpan<byte> keyData = default)
    {
        foreach (var entry in _entries)
            if (entry.KeyType == keyType && entry.KeyData.SequenceEqual(keyData))
                return entry;
        return null;
    }

    /// <summary>Sets <paramref name="entry"/>: replaces the entry with the same key, or inserts it in key order.</summary>
    public PsbtMap With(PsbtKeyValue entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var list = new List<PsbtKeyValue>(_entries);
        var same = list.FindIndex(e => e.SameKey(entry));
        if (same >= 0)
        {
            list[same] = entry;
            return new PsbtMap([.. list]);
        }
        var position = list.FindIndex(e => e.Key.SequenceCompareTo(entry.Key) > 0);
        list.Insert(position < 0 ? list.Count : position, entry);
        return new PsbtMap([.. list]);
    }

    /// <summary>
    /// Adds <paramref name="entry"/> (a key not yet present) after the last entry of its key type,
    /// or in key order when there is none: how BIP174's combiner example lays out merged maps.
    /// </summary>
    public PsbtMap WithGrouped(PsbtKeyValue entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var last = Array.FindLastIndex(_entries, e => e.KeyType == entry.KeyType);
        if (last < 0) return With(entry);
        return new PsbtMap([.. _entries[..(last + 1)], entry, .. _entries[(last + 1)..]]);
    }

    /// <summary>The entries for which <paramref name="keep"/> is true, in order.</summary>
    public PsbtMap Where(Func<PsbtKeyValue, bool> keep) => new([.. _entries.Where(keep)]);

    private static string Abbreviate(ReadOnlySpan<byte> data) =>
        data.Length <= 16 ? Convert.ToHexStringLower(data) : Convert.ToHexStringLower(data[..16]) + "…";
}
