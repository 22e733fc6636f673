using System.Buffers.Binary;
using Custody.Core;

namespace Custody.Hsm.Sealing;

/// <summary>
/// The sealed-blob format, version 1:
/// <code>
///  0..2   "CSB"            Custody sealed blob
///  3      0x01             format version
///  4..7   KEK version      uint32, big-endian (KEK label "custody-kek-v{N}")
///  8..19  IV               12 bytes from the HSM's generator, fresh for every blob
///  20..   ciphertext ‖ tag AES-256-GCM, 16-byte tag
/// </code>
/// The GCM associated data is bytes 0..7 followed by the caller's associated data, so the format
/// and KEK version are authenticated too: editing them fails like any other tampering.
/// </summary>
public static class SealedBlob
{
    public const int IvLength = 12;
    public const int TagLength = 16;
    public const int HeaderLength = 8;
    public const int Overhead = HeaderLength + IvLength + TagLength;
    private const byte FormatVersion = 1;
    private const string Field = "sealedBlob";

    private static ReadOnlySpan<byte> Magic => "CSB"u8;

    /// <summary>The KEK version a blob was sealed under (to find blobs that still need resealing).</summary>
    public static int KekVersionOf(ReadOnlySpan<byte> blob) => Parse(blob).KekVersion;

    internal static byte[] Header(int kekVersion)
    {
        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        header[3] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)kekVersion);
        return header;
    }

    internal static byte[] Compose(byte[] header, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertextAndTag)
    {
        var blob = new byte[HeaderLength + IvLength + ciphertextAndTag.Length];
        header.CopyTo(blob, 0);
        iv.CopyTo(blob.AsSpan(HeaderLength));
        ciphertextAndTag.CopyTo(blob.AsSpan(HeaderLength + IvLength));
        return blob;
    }

    /// <summary>The GCM associated data: header ‖ caller's associated data (the header has a fixed length, so this is unambiguous).</summary>
    internal static byte[] AssociatedData(ReadOnlySpan<byte> header, ReadOnlySpan<byte> callerData)
    {
        var aad = new byte[header.Length + callerData.Length];
        header.CopyTo(aad);
        callerData.CopyTo(aad.AsSpan(header.Length));
        return aad;
    }

    internal static Parts Parse(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < Overhead)
            throw new InvalidInputException(Field, $"a sealed blob is at least {Overhead} bytes, got {blob.Length}");
        if (!blob[..3].SequenceEqual(Magic))
            throw new InvalidInputException(Field, "not a Custody sealed blob (bad magic)");
        if (blob[3] != FormatVersion)
            throw new InvalidInputException(Field, $"unsupported sealed blob format {blob[3]}");
        var version = BinaryPrimitives.ReadUInt32BigEndian(blob[4..8]);
        if (version is 0 or > int.MaxValue)
            throw new InvalidInputException(Field, $"KEK version {version} is out of range");
        return new Parts((int)version, blob[..HeaderLength].ToArray(), blob.Slice(HeaderLength, IvLength).ToArray(),
            blob[(HeaderLength + IvLength)..].ToArray());
    }

    internal sealed record Parts(int KekVersion, byte[] Header, byte[] Iv, byte[] CiphertextAndTag);
}
