using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Custody.Core.Crypto;

namespace Custody.Core.Hd.Bip32;

/// <summary>
/// The 78-byte BIP32 serialisation (version ‖ depth ‖ parent fingerprint ‖ child number
/// ‖ chain code ‖ key data) in Base58Check, and every check BIP32's test vector 5 asks
/// of a parser. The key data of a private key is 0x00 ‖ k; of a public key, the
/// compressed point.
/// </summary>
internal static class ExtendedKeyEncoding
{
    public const int Length = 78;
    private const string Field = "extendedKey";

    public static string Encode(uint version, byte depth, HdFingerprint parent, uint childNumber,
        ReadOnlySpan<byte> chainCode, ReadOnlySpan<byte> keyData33)
    {
        Span<byte> buffer = stackalloc byte[Length];
        try
        {
            BinaryPrimitives.WriteUInt32BigEndian(buffer, version);
            buffer[4] = depth;
            parent.WriteTo(buffer[5..9]);
            BinaryPrimitives.WriteUInt32BigEndian(buffer[9..13], childNumber);
            chainCode.CopyTo(buffer[13..45]);
            keyData33.CopyTo(buffer[45..78]);
            return Base58.EncodeCheck(buffer);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>
    /// Decodes and validates; the caller owns the returned buffer (it may hold a private key)
    /// and must clear it. <paramref name="expectPrivate"/> names the kind the caller wants.
    /// </summary>
    public static byte[] Decode(string? text, bool expectPrivate, out ExtendedKeyVersion version)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new InvalidInputException(Field, "empty");
        byte[] data;
        try
        {
            data = Base58.DecodeCheck(text.Trim());
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException(Field, e.Reason, e); // bad character or checksum; never the text
        }
        try
        {
            Validate(data, expectPrivate, out version);
            return data;
        }
        catch
        {
            CryptographicOperations.ZeroMemory(data);
            throw;
        }
    }

    private static void Validate(ReadOnlySpan<byte> data, bool expectPrivate, out ExtendedKeyVersion version)
    {
        if (data.Length != Length)
            throw Bad($"is {data.Length} bytes; a BIP32 extended key is {Length}");
        var versionBytes = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (!ExtendedKeyVersion.TryFind(versionBytes, out version, out var isPrivate))
            throw Bad($"unknown version bytes 0x{versionBytes.ToString("x8", CultureInfo.InvariantCulture)} (not a registered xpub/xprv/SLIP-132 version)");
        var prefix = isPrivate ? version.PrivatePrefix : version.PublicPrefix;
        var depth = data[4];
        var parent = HdFingerprint.FromBytes(data[5..9]);
        var childNumber = BinaryPrimitives.ReadUInt32BigEndian(data[9..13]);
        if (depth == 0 && parent != HdFingerprint.Zero)
            throw Bad("depth 0 (a master key) with a non-zero parent fingerprint");
        if (depth == 0 && childNumber != 0)
            throw Bad("depth 0 (a master key) with a non-zero child number");
        var keyData = data[45..78];
        if (isPrivate)
        {
            if (keyData[0] != 0x00)
                throw Bad($"{prefix} version but the key data starts with 0x{keyData[0]:x2}, not 0x00 (a private key)");
            if (!Secp256k1.IsValidPrivateKey(keyData[1..]))
                throw Bad("private key is 0 or not below the curve order n");
        }
        else
        {
            if (keyData[0] == 0x00)
                throw Bad($"{prefix} version but the key data is a private key (0x00 prefix)");
            if (keyData[0] is not (0x02 or 0x03))
                throw Bad($"public key prefix 0x{keyData[0]:x2} is not 0x02 or 0x03 (a compressed point)");
            if (!Secp256k1.IsValidPublicKey(keyData))
                throw Bad("public key is not a point on secp256k1");
        }
        if (isPrivate != expectPrivate)
            throw Bad(expectPrivate
                ? $"is a public key ({prefix}); a private one (xprv …) was expected"
                : $"is a private key ({prefix}); a public one (xpub …) was expected");
    }

    private static InvalidInputException Bad(string reason) => new(Field, reason);
}
