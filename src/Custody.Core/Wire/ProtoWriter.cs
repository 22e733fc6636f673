using System.Buffers;

namespace Custody.Core.Wire;

/// <summary>Writes Protocol Buffers fields in the order they are given (canonical when given in field order).</summary>
public sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public ProtoWriter WriteVarint(int fieldNumber, ulong value)
    {
        WriteRawVarint(((ulong)fieldNumber << 3) | (ulong)ProtoWireType.Varint);
        WriteRawVarint(value);
        return this;
    }

    public ProtoWriter WriteInt64(int fieldNumber, long value) => WriteVarint(fieldNumber, unchecked((ulong)value));

    public ProtoWriter WriteBytes(int fieldNumber, ReadOnlySpan<byte> value)
    {
        WriteRawVarint(((ulong)fieldNumber << 3) | (ulong)ProtoWireType.LengthDelimited);
        WriteRawVarint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    public ProtoWriter WriteString(int fieldNumber, string value) =>
        WriteBytes(fieldNumber, System.Text.Encoding.UTF8.GetBytes(value));

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void WriteRawVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        _buffer.Advance(i);
    }
}
