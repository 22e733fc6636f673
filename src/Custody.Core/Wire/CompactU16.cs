namespace Custody.Core.Wire;

/// <summary>
/// Solana's compact-u16 ("shortvec"): 7 bits per byte, low bits first, at most 3 bytes,
/// value at most 0xFFFF. Like the Solana runtime, only the minimal encoding is accepted,
/// so each length has exactly one byte form.
/// </summary>
public static class CompactU16
{
    public const int MaxBytes = 3;

    public static int Decode(ReadOnlySpan<byte> input, string field, out int consumed)
    {
        var value = 0;
        for (var i = 0; i < MaxBytes; i++)
        {
            if (i >= input.Length) throw new InvalidInputException(field, "truncated compact-u16 length");
            var b = input[i];
            value |= (b & 0x7f) << (7 * i);
            if (i == MaxBytes - 1 && b > 0x03) throw new InvalidInputException(field, "compact-u16 overflows 16 bits");
            if ((b & 0x80) != 0) continue;
            if (b == 0 && i > 0) throw new InvalidInputException(field, "compact-u16 is not minimally encoded");
            consumed = i + 1;
            return value;
        }
        throw new InvalidInputException(field, "compact-u16 longer than 3 bytes");
    }

    public static byte[] Encode(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 0xFFFF);
        var bytes = new List<byte>(MaxBytes);
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        } while (value != 0);
        return [.. bytes];
    }
}
