namespace Custody.Core.Audit.Notes;

/// <summary>
/// Standard base64 (RFC 4648 §4) accepting only the canonical text: the BCL decoder
/// skips whitespace and ignores non-zero padding bits, so a decode alone would let
/// several texts stand for one key or signature.
/// </summary>
internal static class StrictBase64
{
    public static byte[]? Decode(string text)
    {
        if (text.Length == 0 || text.Length % 4 != 0) return null;
        if (!text.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=')) return null;
        try
        {
            var bytes = Convert.FromBase64String(text);
            return Convert.ToBase64String(bytes) == text ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
