using System.Buffers.Binary;
using System.Numerics;

namespace Custody.Core.Wire;

/// <summary>
/// RLP encoding (Ethereum yellow paper, appendix B): byte strings, unsigned integers
/// (big-endian, no leading zeros, zero as the empty string) and lists of already
/// encoded items. Decoding is <see cref="RlpReader"/>; <see cref="Decode"/> gives a tree.
/// </summary>
public static class Rlp
{
    /// <summary>Deepest list nesting <see cref="Decode"/> accepts; transactions need 3.</summary>
    public const int MaxDepth = 16;

    public static byte[] EncodeBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 1 && bytes[0] < 0x80) return [bytes[0]];
        var encoded = new byte[HeaderLength(bytes.Length) + bytes.Length];
        var header = WriteHeader(encoded, 0x80, bytes.Length);
        bytes.CopyTo(encoded.AsSpan(header));
        return encoded;
    }

    public static byte[] EncodeUInt(ulong value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(buffer, value);
        return EncodeBytes(buffer[(BitOperations.LeadingZeroCount(value) / 8)..]);
    }

    public static byte[] EncodeUInt(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), "RLP integers are unsigned");
        return EncodeBytes(value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true));
    }

    /// <summary>A list of items, each already RLP-encoded.</summary>
    public static byte[] EncodeList(params ReadOnlySpan<byte[]> encodedItems)
    {
        var payloadLength = 0;
        foreach (var item in encodedItems) payloadLength += item.Length;
        var encoded = new byte[HeaderLength(payloadLength) + payloadLength];
        var offset = WriteHeader(encoded, 0xc0, payloadLength);
        foreach (var item in encodedItems)
        {
            item.CopyTo(encoded, offset);
            offset += item.Length;
        }
        return encoded;
    }

    /// <summary>
    /// Decodes one complete item (nothing may follow it) into a tree, refusing
    /// non-canonical encodings and nesting deeper than <see cref="MaxDepth"/>.
    /// </summary>
    public static RlpItem Decode(ReadOnlySpan<byte> input, string field = "rlp")
    {
        var reader = new RlpReader(input);
        var item = ReadItem(ref reader, field, 0);
        reader.EnsureEnd(field);
        return item;
    }

    private static RlpItem ReadItem(ref RlpReader reader, string field, int depth)
    {
        if (!reader.NextIsList) return RlpItem.String(reader.ReadBytes(field));
        if (depth >= MaxDepth) throw new InvalidInputException(field, $"RLP nested deeper than {MaxDepth} lists");
        var list = reader.ReadList(field);
        var items = new List<RlpItem>();
        while (!list.IsEmpty) items.Add(ReadItem(ref list, $"{field}[{items.Count}]", depth + 1));
        return RlpItem.List(items);
    }

    private static int HeaderLength(int payloadLength) =>
        payloadLength <= 55 ? 1 : 1 + ByteCount((uint)payloadLength);

    private static int ByteCount(uint value) => (32 - BitOperations.LeadingZeroCount(value) + 7) / 8;

    private static int WriteHeader(Span<byte> target, byte shortBase, int payloadLength)
    {
        if (payloadLength <= 55)
        {
            target[0] = (byte)(shortBase + payloadLength);
            return 1;
        }
        var lengthOfLength = ByteCount((uint)payloadLength);
        target[0] = (byte)(shortBase + 55 + lengthOfLength);
        for (var i = 0; i < lengthOfLength; i++)
            target[lengthOfLength - i] = (byte)(payloadLength >> (8 * i));
        return 1 + lengthOfLength;
    }
}
