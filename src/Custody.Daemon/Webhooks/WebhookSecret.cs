using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Custody.Daemon.Webhooks;

/// <summary>
/// A webhook's shared secret, read once from its file (owner-only, 16 bytes to 4 KiB, surrounding
/// whitespace trimmed) into a pinned buffer that is zeroed on dispose. It signs bodies and is never
/// shown: not in logs, not in exceptions, not in ToString.
/// </summary>
public sealed class WebhookSecret : IDisposable
{
    private const int MinLength = 16;
    private const int MaxFileBytes = 4096;

    private readonly byte[] _key;

    private WebhookSecret(byte[] key) => _key = key;

    public static WebhookSecret Read(string path, string key)
    {
        var file = new FileInfo(path);
        if (!file.Exists) throw new StartupException($"{key}: {path} does not exist");
        if (file.Length > MaxFileBytes) throw new StartupException($"{key}: {path} is larger than {MaxFileBytes} bytes; is it the right file?");
        if (!OperatingSystem.IsWindows() && (file.UnixFileMode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new StartupException($"{key}: {path} is readable or writable by others: chmod 600 '{path}'");
        var bytes = GC.AllocateArray<byte>((int)file.Length, pinned: true);
        try
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
                stream.ReadExactly(bytes);
            var text = bytes.AsSpan();
            while (text.Length > 0 && char.IsWhiteSpace((char)text[0])) text = text[1..];
            while (text.Length > 0 && char.IsWhiteSpace((char)text[^1])) text = text[..^1];
            if (text.Length < MinLength) throw new StartupException($"{key}: the secret in {path} is shorter than {MinLength} bytes");
            var secret = GC.AllocateArray<byte>(text.Length, pinned: true);
            text.CopyTo(secret);
            return new WebhookSecret(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The Custody-Signature header value: t=&lt;Unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;.</summary>
    public string Sign(long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return $"t={unixSeconds},v1={Convert.ToHexStringLower(HMACSHA256.HashData(_key, signed))}";
    }

    public override string ToString() => "WebhookSecret(hidden)";

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
