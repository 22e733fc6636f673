using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Custody.Core.Wire;

/// <summary>
/// Text from outside, as Unicode or refused. A lone UTF-16 surrogate is no character and has no
/// UTF-8 form, so it cannot be hashed, stored or shown as what was sent. Protobuf refuses invalid
/// UTF-8 on the wire, but a JSON document inside a field can still escape half a pair ("\ud800"):
/// JSON strings are read here, and the refusal is built by the caller, who knows the field.
/// </summary>
public static class UnicodeText
{
    public const string NotUnicode = "is not valid Unicode text (a lone surrogate such as \\ud800, or invalid UTF-8)";

    /// <summary>The UTF-8 form of <paramref name="text"/>; a lone surrogate is refused rather than replaced.</summary>
    public static byte[] ToUtf8(string text, Func<string, Exception> refuse)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(refuse);
        var utf8 = new byte[Encoding.UTF8.GetByteCount(text)];
        return System.Text.Unicode.Utf8.FromUtf16(text, utf8, out _, out _, replaceInvalidSequences: false) == OperationStatus.Done ? utf8 : throw refuse(NotUnicode);
    }

    /// <summary>The string or property name the reader is on (the caller has checked the token).</summary>
    public static string Read(ref Utf8JsonReader reader, Func<string, Exception> refuse)
    {
        ArgumentNullException.ThrowIfNull(refuse);
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException) // on a string token, only its content can be wrong
        {
            throw refuse(NotUnicode);
        }
    }

    /// <summary>A JSON string value (the caller has checked that it is one).</summary>
    public static string Read(JsonElement value, Func<string, Exception> refuse)
    {
        ArgumentNullException.ThrowIfNull(refuse);
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw refuse(NotUnicode);
        }
    }

    /// <summary>A JSON property name.</summary>
    public static string Name(JsonProperty property, Func<string, Exception> refuse)
    {
        ArgumentNullException.ThrowIfNull(refuse);
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw refuse(NotUnicode);
        }
    }
}
