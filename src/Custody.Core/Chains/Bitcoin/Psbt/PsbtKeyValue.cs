using Custody.Core.Chains.Bitcoin.Wire;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// One key-value pair of a PSBT map exactly as it is on the wire: the key (its
/// CompactSize type, then key data) and the value. Maps keep these in their original
/// order, so a PSBT serialises back byte for byte, unknown fields included.
/// </summary>
public sealed class PsbtKeyValue
{
    private readonly byte[] _key;
    private readonly byte[] _value;
    private readonly int _typeLength;

    private PsbtKeyValue(byte[] key, ulong keyType, int typeLength, byte[] value)
    {
        _key = key;
        KeyType = keyType;
        _typeLength = typeLength;
        _value = value;
    }

    public static PsbtKeyValue Create(ulong keyType, ReadOnlySpan<byte> keyData, ReadOnlySpan<byte> value)
    {
        var writer = new WireWriter(keyData.Length + 9);
        writer.WriteCompactSize(keyType);
        var typeLength = writer.Length;
        writer.WriteBytes(keyData);
        return new PsbtKeyValue(writer.ToArray(), keyType, typeLength, value.ToArray());
    }

    /// <summary>Reads the key type from raw key bytes; <paramref name="field"/> names the map for errors.</summary>
    internal static PsbtKeyValue FromWire(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, string field)
    {
        var reader = new WireReader(key);
        var keyType = reader.ReadCompactSize(field + ".key");
        return new PsbtKeyValue(key.ToArray(), keyType, reader.Position, value.ToArray());
    }

    public ulong KeyType { get; }

    /// <summary>The whole key: type then key data.</summary>
    public ReadOnlySpan<byte> Key => _key;

    public ReadOnlySpan<byte> KeyData => _key.AsSpan(_typeLength);

    public ReadOnlySpan<byte> Value => _value;

    internal bool SameKey(PsbtKeyValue other) => Key.SequenceEqual(other.Key);

    internal void Write(WireWriter writer)
    {
        writer.WriteVarBytes(_key);
        writer.WriteVarBytes(_value);
    }

    public override string ToString() => $"0x{KeyType:x2} {Convert.ToHexStringLower(KeyData)} = {_value.Length} bytes";
}
