using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Custody.Core.Crypto;

/// <summary>Base58 (Bitcoin alphabet) and Base58Check (4-byte double-SHA-256 checksum).</summary>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const int MaxTextLength = 1024; // far beyond any key or address; bounds the quadratic decode

    private static readonly sbyte[] Digits = BuildDigits();

    private static sbyte[] BuildDigits()
    {
        var digits = new sbyte[128];
        Array.Fill(digits, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++) digits[Alphabet[i]] = (sbyte)i;
        return digits;
    }

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0) zeros++;
        // log(256)/log(58) ≈ 1.365: enough base-58 digits for the rest.
        var size = (data.Length - zeros) * 138 / 100 + 1;
        Span<byte> b58 = size <= 512 ? stackalloc byte[size] : new byte[size];
        var length = 0;
        for (var i = zeros; i < data.Length; i++)
        {
            int carry = data[i];
            var j = 0;
            for (var k = size - 1; (carry != 0 || j < length) && k >= 0; k--, j++)
            {
                carry += 256 * b58[k];
                b58[k] = (byte)(carry % 58);
                carry /= 58;
            }
            length = j;
        }
        var start = size - length;
        while (start < size && b58[start] == 0) start++;
        var chars = new char[zeros + size - start];
        chars.AsSpan(0, zeros).Fill('1');
        for (var i = start; i < size; i++) chars[zeros + i - start] = Alphabet[b58[i]];
        return new string(chars);
    }

    public static byte[] Decode(string text)
    {
        if (TryDecode(text, out var data, out var error)) return data;
        throw new InvalidInputException("base58", error);
    }

    public static bool TryDecode(string? text, [NotNullWhen(true)] out byte[]? data) => TryDecode(text, out data, out _);

    private static bool TryDecode(string? text, [NotNullWhen(true)] out byte[]? data, out string error)
    {
        data = null;
        if (text is null)
        {
            error = "missing";
            return false;
        }
        if (text.Length > MaxTextLength)
        {
            error = $"longer than {MaxTextLength} characters";
            return false;
        }
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1') zeros++;
        var size = (text.Length - zeros) * 733 / 1000 + 1; // log(58)/log(256)
        Span<byte> b256 = stackalloc byte[size];
        var length = 0;
        for (var i = zeros; i < text.Length; i++)
        {
            var c = text[i];
            var digit = c < 128 ? Digits[c] : -1;
            if (digit < 0)
            {
                error = $"character {i + 1} is not in the Base58 alphabet";
                return false;
            }
            int carry = digit;
            var j = 0;
            for (var k = size - 1; (carry != 0 || j < length) && k >= 0; k--, j++)
            {
                carry += 58 * b256[k];
                b256[k] = (byte)(carry & 0xFF);
                carry >>= 8;
            }
            length = j;
        }
        var start = size - length;
        while (start < size && b256[start] == 0) start++;
        data = new byte[zeros + size - start];
        b256[start..].CopyTo(data.AsSpan(zeros));
        error = "";
        return true;
    }

    public static string EncodeCheck(ReadOnlySpan<byte> payload)
    {
        var buffer = new byte[payload.Length + 4];
        payload.CopyTo(buffer);
        Hashes.Sha256d(payload).AsSpan(0, 4).CopyTo(buffer.AsSpan(payload.Length));
        var text = Encode(buffer);
        CryptographicOperations.ZeroMemory(buffer); // payload may be a WIF or an xprv
        return text;
    }

    public static byte[] DecodeCheck(string text)
    {
        if (TryDecodeCheck(text, out var payload, out var error)) return payload;
        throw new InvalidInputException("base58check", error);
    }

    public static bool TryDecodeCheck(string? text, [NotNullWhen(true)] out byte[]? payload) =>
        TryDecodeCheck(text, out payload, out _);

    private static bool TryDecodeCheck(string? text, [NotNullWhen(true)] out byte[]? payload, out string error)
    {
        payload = null;
        if (!TryDecode(text, out var raw, out error)) return false;
        if (raw.Length < 4)
        {
            error = "too short to carry a checksum";
            return false;
        }
        var body = raw.AsSpan(0, raw.Length - 4);
        var checksum = Hashes.Sha256d(body);
        if (!CryptographicOperations.FixedTimeEquals(checksum.AsSpan(0, 4), raw.AsSpan(raw.Length - 4)))
        {
            CryptographicOperations.ZeroMemory(raw);
            error = "checksum mismatch (a mistyped character?)";
            return false;
        }
        payload = body.ToArray();
        CryptographicOperations.ZeroMemory(raw);
        return true;
    }
}
