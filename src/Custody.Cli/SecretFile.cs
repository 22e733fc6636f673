using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Custody.Core;
using Custody.Core.Crypto;

namespace Custody.Cli;

/// <summary>
/// Reads a secret (mnemonic, passphrase) from a file, never from argv: strict UTF-8, a
/// leading BOM and trailing line breaks removed, into a pinned char array the caller clears
/// with <see cref="Clear"/>. The raw bytes, read into a pinned array, are cleared before returning.
/// </summary>
internal static class SecretFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static char[] ReadText(string path, string field, int maxBytes)
    {
        if (!File.Exists(path)) throw new CliException($"{field} file '{path}' does not exist");
        // Read straight into a pinned array (no stream buffer), one byte longer than allowed to see a file that is too long.
        var bytes = PinnedArray.Allocate(maxBytes + 1);
        try
        {
            int length;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
                length = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (length > maxBytes) throw new CliException($"{field} file '{path}' is larger than {maxBytes} bytes; is it the right file?");
            var text = bytes.AsSpan(0, length);
            int count;
            try
            {
                count = StrictUtf8.GetCharCount(text);
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidInputException(field, "the file is not UTF-8 text");
            }
            var chars = GC.AllocateUninitializedArray<char>(count, pinned: true);
            StrictUtf8.GetChars(text, chars);
            var start = count > 0 && chars[0] == '\uFEFF' ? 1 : 0;
            var end = count;
            while (end > start && chars[end - 1] is '\n' or '\r') end--;
            if (start == 0 && end == count) return chars;
            var trimmed = GC.AllocateUninitializedArray<char>(end - start, pinned: true);
            chars.AsSpan(start, end - start).CopyTo(trimmed);
            Clear(chars);
            return trimmed;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public static void Clear(char[]? chars)
    {
        if (chars is not null) CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(chars.AsSpan()));
    }
}
