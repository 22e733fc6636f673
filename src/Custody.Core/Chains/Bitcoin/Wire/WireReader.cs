using System.Buffers.Binary;

namespace Custody.Core.Chains.Bitcoin.Wire;

/// <summary>
/// A bounds-checked reader for Bitcoin's wire format (little-endian integers,
/// CompactSize lengths). Every read names its field, and every count or length is
/// checked against what remains before anything is allocated, so a hostile length
/// field costs an exception, never memory.
/// </summary>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public WireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly bool IsAtEnd => _position == _data.Length;

    public readonly byte PeekByte(string field) =>
        IsAtEnd ? throw Truncated(field, 1) : _data[_position];

    public byte ReadByte(string field) => ReadBytes(field, 1)[0];

    public ReadOnlySpan<byte> ReadBytes(string field, int count)
    {
        if (count < 0 || count > Remaining) throw Truncated(field, count);
        var value = _data.Slice(_position, count);
        _position += count;
        return value;
    }

    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(field, 4));

    public int ReadInt32(string field) => BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(field, 4));

    public long ReadInt64(string field) => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(field, 8));

    /// <summary>A CompactSize integer in its shortest encoding (Bitcoin Core refuses the others too).</summary>
    public ulong ReadCompactSize(string field)
    {
        var first = ReadByte(field);
        ulong value;
        ulong minimum;
        switch (first)
        {
            case < 0xfd:
                return first;
            case 0xfd:
                value = BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(field, 2));
                minimum = 0xfd;
                break;
            case 0xfe:
                value = BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(field, 4));
                minimum = 0x1_0000;
                break;
            default:
                value = BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(field, 8));
                minimum = 0x1_0000_0000;
                break;
        }
        if (value < minimum) throw new InvalidInputException(field, "length or count is not minimally encoded");
        return value;
    }

    /// <summary>
    /// A count of items that each take at least <paramref name="minItemSize"/> bytes:
    /// a count the remaining input cannot hold is refused before any list is sized by it.
    /// </summary>
    public int ReadCount(string field, int minItemSize)
    {
        var count = ReadCompactSize(field);
        if (count > (ulong)(Remaining / Math.Max(minItemSize, 1)))
            throw new InvalidInputException(field, $"count {count} is more than the remaining {Remaining} bytes can hold");
        return (int)count;
    }

    /// <summary>A CompactSize length followed by that many bytes.</summary>
    public ReadOnlySpan<byte> ReadVarBytes(string field)
    {
        var length = ReadCompactSize(field);
        if (length > (ulong)Remaining)
            throw new InvalidInputException(field, $"length {length} is more than the remaining {Remaining} bytes");
        return ReadBytes(field, (int)length);
    }

    /// <summary>Fails unless every byte was read.</summary>
    public readonly void EnsureEnd(string field)
    {
        if (!IsAtEnd) throw new InvalidInputException(field, $"{Remaining} unexpected trailing bytes");
    }

    private readonly InvalidInputException Truncated(string field, int needed) =>
        new(field, $"truncated: {needed} bytes needed, {Remaining} remain");
}
