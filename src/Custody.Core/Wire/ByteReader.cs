using System.Buffers.Binary;

namespace Custody.Core.Wire;

/// <summary>
/// A bounds-checked little-endian reader over a span for fixed binary layouts
/// (Solana messages and instruction data). Every read names its field in the error
/// and checks the remaining length first.
/// </summary>
public ref struct ByteReader
{
    private ReadOnlySpan<byte> _rest;

    public ByteReader(ReadOnlySpan<byte> input) => _rest = input;

    public readonly int Remaining => _rest.Length;

    public readonly bool IsEmpty => _rest.IsEmpty;

    public readonly byte PeekByte(string field) =>
        _rest.IsEmpty ? throw new InvalidInputException(field, "missing (input ends)") : _rest[0];

    public byte ReadByte(string field) => ReadBytes(field, 1)[0];

    public ReadOnlySpan<byte> ReadBytes(string field, int count)
    {
        if (count < 0 || count > _rest.Length)
            throw new InvalidInputException(field, $"truncated: {count} bytes needed, {_rest.Length} remain");
        var value = _rest[..count];
        _rest = _rest[count..];
        return value;
    }

    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(field, 4));

    public ulong ReadUInt64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(field, 8));

    /// <summary>Solana's compact-u16 ("shortvec") length: see <see cref="CompactU16"/>.</summary>
    public int ReadCompactU16(string field)
    {
        var value = CompactU16.Decode(_rest, field, out var consumed);
        _rest = _rest[consumed..];
        return value;
    }

    /// <summary>Fails unless every byte was read.</summary>
    public readonly void EnsureEnd(string field)
    {
        if (!_rest.IsEmpty) throw new InvalidInputException(field, $"{_rest.Length} unexpected trailing bytes");
    }
}
