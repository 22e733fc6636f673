using System.Buffers.Binary;

namespace Custody.Core.Wire;

/// <summary>
/// A small strict reader of the Protocol Buffers wire format, enough to decode chain
/// messages (TRON raw_data) field by field. Varints must be minimal and at most 10
/// bytes, lengths are checked against what is left, groups are refused. Deciding
/// which fields may repeat, and refusing unknown ones, is the message parser's job.
/// </summary>
public ref struct ProtoReader
{
    private ReadOnlySpan<byte> _rest;

    public ProtoReader(ReadOnlySpan<byte> input) => _rest = input;

    public readonly bool IsEmpty => _rest.IsEmpty;

    /// <summary>Reads the next field's tag; false at the end of the input.</summary>
    public bool TryReadTag(string field, out int fieldNumber, out ProtoWireType wireType)
    {
        fieldNumber = 0;
        wireType = default;
        if (_rest.IsEmpty) return false;
        var tag = ReadVarint(field);
        var number = tag >> 3;
        if (number is 0 or > 0x1FFF_FFFF) throw new InvalidInputException(field, $"protobuf field number {number} out of range");
        var type = (int)(tag & 7);
        if (type is not (0 or 1 or 2 or 5))
            throw new InvalidInputException(field, $"protobuf wire type {type} of field {number} is not supported");
        fieldNumber = (int)number;
        wireType = (ProtoWireType)type;
        return true;
    }

    public ulong ReadVarint(string field)
    {
        ulong value = 0;
        for (var i = 0; i < 10; i++)
        {
            if (i >= _rest.Length) throw new InvalidInputException(field, "truncated protobuf varint");
            var b = _rest[i];
            if (i == 9 && b > 1) throw new InvalidInputException(field, "protobuf varint overflows 64 bits");
            value |= (ulong)(b & 0x7f) << (7 * i);
            if ((b & 0x80) != 0) continue;
            if (b == 0 && i > 0) throw new InvalidInputException(field, "protobuf varint is not minimally encoded");
            _rest = _rest[(i + 1)..];
            return value;
        }
        throw new InvalidInputException(field, "protobuf varint longer than 10 bytes");
    }

    /// <summary>An int64 field (two's complement in a varint).</summary>
    public long ReadInt64(string field) => unchecked((long)ReadVarint(field));

    public ReadOnlySpan<byte> ReadLengthDelimited(string field)
    {
        var length = ReadVarint(field);
        if (length > (ulong)_rest.Length)
            throw new InvalidInputException(field, $"protobuf field declares {length} bytes but only {_rest.Length} remain");
        var value = _rest[..(int)length];
        _rest = _rest[(int)length..];
        return value;
    }

    public ulong ReadFixed64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(field, 8));

    public uint ReadFixed32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(field, 4));

    /// <summary>Reads and discards a value of <paramref name="wireType"/>.</summary>
    public void Skip(string field, ProtoWireType wireType)
    {
        switch (wireType)
        {
            case ProtoWireType.Varint: ReadVarint(field); break;
            case ProtoWireType.Fixed64: Take(field, 8); break;
            case ProtoWireType.LengthDelimited: ReadLengthDelimited(field); break;
            case ProtoWireType.Fixed32: Take(field, 4); break;
            default: throw new InvalidInputException(field, $"protobuf wire type {(int)wireType} is not supported");
        }
    }

    private ReadOnlySpan<byte> Take(string field, int count)
    {
        if (_rest.Length < count) throw new InvalidInputException(field, $"truncated protobuf field ({count} bytes needed, {_rest.Length} remain)");
        var value = _rest[..count];
        _rest = _rest[count..];
        return value;
    }
}
