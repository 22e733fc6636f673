using System.Text;
using Custody.Core.Crypto;
using Custody.Storage.Writing;

namespace Custody.Storage.Audit;

/// <summary>
/// Texts of any length in records of bounded size: a text that fits is kept as is; a longer one
/// (a 25-address allow-list's diff, a long freeze reason) keeps its beginning in the record beside
/// its SHA-256, and the whole text goes into <c>audit_texts</c> under that digest in the same
/// transaction. The signed tree commits to the digest, so the full text can be checked against it.
/// Never refused after the change it describes was made.
/// </summary>
internal static class AuditText
{
    /// <summary>The longest text (UTF-8 bytes) kept whole in a record's detail.</summary>
    public const int MaxInline = 512;

    private const int Preview = 200;

    public static void Put(LedgerTransaction tx, IDictionary<string, string> details, string key, string text)
    {
        ArgumentNullException.ThrowIfNull(details);
        var bytes = Utf8(key, text);
        if (bytes.Length <= MaxInline)
        {
            details[key] = text;
            return;
        }
        var digest = Convert.ToHexStringLower(Hashes.Sha256(bytes));
        AuditTables.PutText(tx.Sql, digest, text);
        var cut = Preview;
        if (char.IsHighSurrogate(text[cut - 1])) cut--;
        details[key] = text[..cut] + "…";
        details[key + "_sha256"] = digest;
        details[key + "_bytes"] = bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The text's UTF-8 bytes; refuses one that is not valid Unicode (a lone surrogate). Callers check
    /// their texts with it before they write anything: SQLite would store U+FFFD in its place and
    /// PostgreSQL's driver refuses to send it.
    /// </summary>
    public static byte[] Utf8(string key, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return Strict.GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new Core.InvalidInputException(key, "not valid Unicode text (a lone surrogate?)", e);
        }
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
