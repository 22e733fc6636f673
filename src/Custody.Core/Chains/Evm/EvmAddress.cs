
using System.Text;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Evm;

/// <summary>EVM addresses: the last 20 bytes of keccak256(uncompressed key), printed with the EIP-55 checksum.</summary>
public static class EvmAddress
{
    public static byte[] BytesFromPublicKey(ReadOnlySpan<byte> pub)
    {
        var uncompressed = Secp256k1.DecompressPublicKey(pub);
        return Hashes.Keccak256(uncompressed.AsSpan(1))[12..];
    }

    public static string FromPublicKey(ReadOnlySpan<byte> pub) => ToChecksumText(BytesFromPublicKey(pub));

    /// <summary>EIP-55: a hex letter is upper-case where the matching nibble of keccak256(lower-case hex) is ≥ 8.</summary>
    public static string ToChecksumText(ReadOnlySpan<byte> address20)
    {
        if (address20.Length != 20) throw new ArgumentException("an EVM address is 20 bytes");
        var lower = Convert.ToHexStringLower(address20);
        var hash = Hashes.Keccak256(Encoding.ASCII.GetBytes(lower));
        var chars = new char[42];
        chars[0] = '0';
        chars[1] = 'x';
        for (var i = 0; i < 40; i++)
        {
            var nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            chars[2 + i] = nibble >= 8 ? char.ToUpperInvariant(lower[i]) : lower[i];
        }
        return new string(chars);
    }

    /// <summary>Parses 0x + 40 hex digits; a mixed-case text must carry a correct EIP-55 checksum.</summary>
    public static byte[] Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            throw new InvalidInputException("address", "an EVM address starts with 0x");
        var hex = text[2..];
        if (hex.Length != 40) throw new InvalidInputException("address", $"an EVM address has 40 hex digits, not {hex.Length}");
        if (!hex.All(char.IsAsciiHexDigit)) throw new InvalidInputException("address", "contains a character that is not hex");
        var bytes = Convert.FromHexString(hex);
        var mixedCase = hex.Any(char.IsAsciiLetterUpper) && hex.Any(char.IsAsciiLetterLower);
        if (mixedCase && ToChecksumText(bytes) != "0x" + hex)
            throw new InvalidInputException("address", "EIP-55 checksum mismatch (a mistyped character?)");
        return bytes;
    }

    public static string Normalize(string text) => ToChecksumText(Parse(text));

}
