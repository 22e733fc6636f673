using System.Security.Cryptography;
using System.Text;
using Custody.Core;
using Google.Protobuf;

namespace Custody.Daemon.Signing;

/// <summary>
/// What makes two requests "the same" for idempotency: SHA-256 of the message's type name and
/// its bytes with request_id cleared. Protobuf writes fields in number order and omits defaults,
/// so equal requests give equal bytes, and a field added later with its default changes nothing;
/// the type name keeps a transaction and a message request with the same id apart.
/// </summary>
public static class RequestFingerprint
{
    private const int MaxRequestIdLength = 128;

    public static byte[] Of<T>(T request) where T : IMessage<T>
    {
        var copy = request.Clone();
        copy.Descriptor.FindFieldByName("request_id")?.Accessor.Clear(copy);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(copy.Descriptor.FullName + "\n"));
        hash.AppendData(copy.ToByteArray());
        return hash.GetHashAndReset();
    }

    /// <summary>1 to 128 characters of [A-Za-z0-9._:-]: safe in logs, keys and audit records.</summary>
    public static void ValidateRequestId(string requestId)
    {
        if (string.IsNullOrEmpty(requestId))
            throw new InvalidInputException("request_id", "empty: give every request a unique id so a retry cannot sign twice");
        if (requestId.Length > MaxRequestIdLength || !requestId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-'))
            throw new InvalidInputException("request_id", $"1 to {MaxRequestIdLength} characters of letters, digits and . _ : -");
    }
}
