using System.Buffers.Text;
using System.Security.Cryptography;

namespace Custody.Core.Ledger;

/// <summary>
/// The bearer secret: "cst_" and 32 random bytes in base64url. Only its SHA-256 is
/// stored: a database leak gives no usable token, and a lookup by hash needs no
/// constant-time comparison because the hash of a guess reveals nothing about the stored one.
/// </summary>
public static class TokenSecret
{
    public const string Prefix = "cst_";
    private const int SecretLength = 32;

    /// <summary>A fresh token text; show it once, then forget it.</summary>
    public static string Generate()
    {
        Span<byte> secret = stackalloc byte[SecretLength];
        RandomNumberGenerator.Fill(secret);
        var text = Prefix + Base64Url.EncodeToString(secret);
        CryptographicOperations.ZeroMemory(secret);
        return text;
    }

    /// <summary>SHA-256 of the secret bytes, or null when <paramref name="text"/> is not a token at all.</summary>
    public static byte[]? TryHash(ReadOnlySpan<char> text)
    {
        if (!text.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var encoded = text[Prefix.Length..];
        if (encoded.Length != Base64Url.GetEncodedLength(SecretLength)) return null;
        Span<byte> secret = stackalloc byte[SecretLength];
        try
        {
            if (Base64Url.DecodeFromChars(encoded, secret, out var consumed, out var written) != System.Buffers.OperationStatus.Done ||
                consumed != encoded.Length || written != SecretLength)
                return null;
            return SHA256.HashData(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
