using System.Buffers.Binary;

namespace Custody.Core.Chains.Bitcoin.Wire;

/// <summary>A growable buffer that writes Bitcoin's wire format.</summary>
public sealed class WireWriter
{
    private byte[] _buffer;
    private int _length;

    public WireWriter(int capacity = 256) => _buffer = new byte[Math.Max(capacity, 16)];

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void Clear() => _length = 0;

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    public void WriteCompactSize(ulong value)
    {
        switch (value)
        {
            case < 0xfd:
                WriteByte((byte)value);
                break;
            case <= 0xffff:
                WriteByte(0xfd);
                BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), (ushort)value);
                break;
            case <= 0xffff_ffff:
                WriteByte(0xfe);
                BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), (uint)value);
                break;
            default:
                WriteByte(0xff);
                BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);
                break;
        }
    }

    /// <summary>A CompactSize length, then the bytes.</summary>
    public void WriteVarBytes(ReadOnlySpan<byte> bytes)
    {
        WriteCompactSize((ulong)bytes.Length);
        WriteBytes(bytes);
    }

    public static int CompactSizeLength(ulong value) => value switch
    {
        < 0xfd => 1,
        <= 0xffff => 3,
        <= 0xffff_ffff => 5,
        _ => 9,
    };

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
