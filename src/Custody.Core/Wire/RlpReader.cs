using System.Numerics;

namespace Custody.Core.Wire;

/// <summary>
/// A strict reader of RLP (Ethereum yellow paper, appendix B) over a span. It accepts
/// only the canonical encoding: single bytes below 0x80 as themselves, the short form
/// whenever the payload fits in 55 bytes, lengths without leading zeros, integers
/// without leading zeros. So the bytes decoded are the only bytes that mean this value,
/// and re-encoding gives back the input. Every length is checked against what is left
/// before anything is sliced, so a hostile length can neither crash nor allocate.
/// </summary>
public ref struct RlpReader
{
    private ReadOnlySpan<byte> _rest;

    public RlpReader(ReadOnlySpan<byte> input) => _rest = input;

    public readonly bool IsEmpty => _rest.IsEmpty;

    /// <summary>True when the next item is a list (false when it is a byte string or nothing is left).</summary>
    public readonly bool NextIsList => !_rest.IsEmpty && _rest[0] >= 0xc0;

    /// <summary>Reads a byte string item; <paramref name="field"/> names it in errors.</summary>
    public ReadOnlySpan<byte> ReadBytes(string field)
    {
        var isList = ReadItem(field, out var payload);
        if (isList) throw new InvalidInputException(field, "expected an RLP byte string, found a list");
        return payload;
    }

    /// <summary>Reads a list item and returns a reader over its payload.</summary>
    public RlpReader ReadList(string field)
    {
        var isList = ReadItem(field, out var payload);
        if (!isList) throw new InvalidInputException(field, "expected an RLP list, found a byte string");
        return new RlpReader(payload);
    }

    /// <summary>A byte string of exactly <paramref name="length"/> bytes (addresses, hashes).</summary>
    public ReadOnlySpan<byte> ReadFixedBytes(string field, int length)
    {
        var bytes = ReadBytes(field);
        if (bytes.Length != length)
            throw new InvalidInputException(field, $"expected {length} bytes, found {bytes.Length}");
        return bytes;
    }

    /// <summary>A big-endian unsigned integer without leading zeros, at most 8 bytes.</summary>
    public ulong ReadUInt64(string field)
    {
        var bytes = ReadIntegerBytes(field, 8);
        ulong value = 0;
        foreach (var b in bytes) value = (value << 8) | b;
        return value;
    }

    /// <summary>A big-endian unsigned integer without leading zeros, at most <paramref name="maxBytes"/> bytes (32 for uint256).</summary>
    public BigInteger ReadUInt(string field, int maxBytes = 32)
    {
        var bytes = ReadIntegerBytes(field, maxBytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    private ReadOnlySpan<byte> ReadIntegerBytes(string field, int maxBytes)
    {
        var bytes = ReadBytes(field);
        if (bytes.Length > maxBytes)
            throw new InvalidInputException(field, $"integer longer than {maxBytes} bytes");
        if (bytes.Length > 0 && bytes[0] == 0)
            throw new InvalidInputException(field, "integer has a leading zero byte (not canonical RLP)");
        return bytes;
    }

    /// <summary>Fails unless every item was read.</summary>
    public readonly void EnsureEnd(string field)
    {
        if (!_rest.IsEmpty) throw new InvalidInputException(field, $"{_rest.Length} unexpected bytes after the last RLP item");
    }

    /// <summary>Reads one item's header and payload; true when it is a list.</summary>
    private bool ReadItem(string field, out ReadOnlySpan<byte> payload)
    {
        if (_rest.IsEmpty) throw new InvalidInputException(field, "missing (RLP input ends)");
        var prefix = _rest[0];
        if (prefix < 0x80)
        {
            payload = _rest[..1];
            _rest = _rest[1..];
            return false;
        }
        var isList = prefix >= 0xc0;
        var shortBase = isList ? 0xc0 : 0x80;
        int headerLength, length;
        if (prefix <= shortBase + 55)
        {
            headerLength = 1;
            length = prefix - shortBase;
        }
        else
        {
            var lengthOfLength = prefix - shortBase - 55;
            if (_rest.Length < 1 + lengthOfLength) throw new InvalidInputException(field, "truncated RLP length");
            var lengthBytes = _rest.Slice(1, lengthOfLength);
            if (lengthBytes[0] == 0) throw new InvalidInputException(field, "RLP length has a leading zero byte");
            ulong declared = 0;
            foreach (var b in lengthBytes) declared = (declared << 8) | b;
            if (declared <= 55) throw new InvalidInputException(field, "RLP long form used for a payload of 55 bytes or less");
            if (declared > (ulong)(_rest.Length - 1 - lengthOfLength))
                throw new InvalidInputException(field, $"RLP item declares {declared} bytes but only {_rest.Length - 1 - lengthOfLength} remain");
            headerLength = 1 + lengthOfLength;
            length = (int)declared;
        }
        if (length > _rest.Length - headerLength)
            throw new InvalidInputException(field, $"RLP item declares {length} bytes but only {_rest.Length - headerLength} remain");
        payload = _rest.Slice(headerLength, length);
        if (!isList && length == 1 && payload[0] < 0x80)
            throw new InvalidInputException(field, "single byte below 0x80 must be encoded as itself (not canonical RLP)");
        _rest = _rest[(headerLength + length)..];
        return isList;
    }
}
