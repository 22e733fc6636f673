using Custody.Core.Crypto;

namespace Custody.Core.Chains.Solana;

/// <summary>Solana addresses: a 32-byte public key (or program-derived address) in Base58.</summary>
public static class SolanaAddress
{
    public static string ToText(ReadOnlySpan<byte> key32)
    {
        if (key32.Length != 32) throw new ArgumentException("a Solana address is 32 bytes");
        return Base58.Encode(key32);
    }

    public static byte[] Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.Length is < 32 or > 44)
            throw new InvalidInputException("address", $"a Solana address has 32 to 44 Base58 characters, not {text.Length}");
        if (!Base58.TryDecode(text, out var bytes))
            throw new InvalidInputException("address", "contains a character that is not Base58");
        if (bytes.Length != 32) throw new InvalidInputException("address", $"decodes to {bytes.Length} bytes, not 32");
        return bytes;
    }

    public static string Normalize(string text) => ToText(Parse(text));
}
