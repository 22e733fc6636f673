namespace Custody.Core.Wire;

/// <summary>Hex text as payloads and JSON carry it: optional 0x prefix, either case, bounded size.</summary>
public static class HexText
{
    /// <summary>Parses hex of at most <paramref name="maxBytes"/> bytes; surrounding whitespace is ignored.</summary>
    public static byte[] Parse(string? text, string field, int maxBytes)
    {
        var hex = (text ?? "").AsSpan().Trim();
        if (hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) hex = hex[2..];
        if (hex.Length % 2 != 0) throw new InvalidInputException(field, "hex text has an odd number of digits");
        if (hex.Length / 2 > maxBytes) throw new InvalidInputException(field, $"longer than {maxBytes} bytes");
        var bytes = new byte[hex.Length / 2];
        if (Convert.FromHexString(hex, bytes, out _, out _) != System.Buffers.OperationStatus.Done)
            throw new InvalidInputException(field, "not hex text");
        return bytes;
    }

    /// <summary>Lowercase hex with a 0x prefix, as Ethereum tools print it.</summary>
    private static readonly System.Buffers.SearchValues<char> LowerHexDigits = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>Whether <paramref name="text"/> is lower-case hex digits only (as Convert.ToHexStringLower writes them).</summary>
    public static bool IsLowerHex(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(LowerHexDigits);

    public static string Prefixed(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);
}
