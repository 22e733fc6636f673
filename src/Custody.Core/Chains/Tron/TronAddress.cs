using Custody.Core.Chains.Evm;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Tron;

/// <summary>TRON addresses: 0x41 ‖ the EVM-style 20-byte key hash, shown in Base58Check (T…).</summary>
public static class TronAddress
{
    public const byte Prefix = 0x41;

    public static byte[] BytesFromPublicKey(ReadOnlySpan<byte> pub) => [Prefix, .. EvmAddress.BytesFromPublicKey(pub)];

    public static string FromPublicKey(ReadOnlySpan<byte> pub) => ToText(BytesFromPublicKey(pub));

    public static string ToText(ReadOnlySpan<byte> address21)
    {
        if (address21.Length != 21 || address21[0] != Prefix)
            throw new InvalidInputException("address", "a TRON address is 21 bytes starting with 0x41");
        return Base58.EncodeCheck(address21);
    }

    /// <summary>Parses the Base58Check form (T…) or the 41-prefixed hex form; returns the 21 bytes.</summary>
    public static byte[] Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        byte[] bytes;
        if (text.Length == 42 && text.StartsWith("41", StringComparison.Ordinal) && text.All(char.IsAsciiHexDigit))
        {
            bytes = Convert.FromHexString(text);
        }
        else
        {
            if (text.Length > 64) throw new InvalidInputException("address", "longer than any TRON address");
            try
            {
                bytes = Base58.DecodeCheck(text);
            }
            catch (InvalidInputException e)
            {
                throw new InvalidInputException("address", e.Reason);
            }
        }
        if (bytes.Length != 21) throw new InvalidInputException("address", $"a TRON address is 21 bytes, not {bytes.Length}");
        if (bytes[0] != Prefix) throw new InvalidInputException("address", $"prefix 0x{bytes[0]:x2} is not TRON's 0x41");
        return bytes;
    }

    public static string Normalize(string text) => ToText(Parse(text));
}
