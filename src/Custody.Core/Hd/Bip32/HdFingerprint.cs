using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Custody.Core.Crypto;

namespace Custody.Core.Hd.Bip32;

/// <summary>
/// A BIP32 key fingerprint: the first 4 bytes of HASH160 of the compressed public key
/// (for SLIP-10 ed25519, of 0x00 ‖ key). Printed as 8 lower-case hex digits, as PSBT
/// and descriptor tools print it.
/// </summary>
public readonly record struct HdFingerprint(uint Value)
{
    public static HdFingerprint Zero => default;

    /// <summary>The fingerprint of a 33-byte public key as BIP32 serialises it.</summary>
    public static HdFingerprint FromPublicKey(ReadOnlySpan<byte> publicKey33)
    {
        if (publicKey33.Length != 33)
            throw new ArgumentException("a fingerprint is taken over a 33-byte public key", nameof(publicKey33));
        return new HdFingerprint(BinaryPrimitives.ReadUInt32BigEndian(Hashes.Hash160(publicKey33)));
    }

    public static HdFingerprint FromBytes(ReadOnlySpan<byte> bytes4) => new(BinaryPrimitives.ReadUInt32BigEndian(bytes4));

    public void WriteTo(Span<byte> destination4) => BinaryPrimitives.WriteUInt32BigEndian(destination4, Value);

    public static HdFingerprint Parse(string text) =>
        TryParse(text, out var fingerprint)
            ? fingerprint
            : throw new InvalidInputException("fingerprint", "expected 8 hex digits, e.g. 73c5da0a");

    public static bool TryParse([NotNullWhen(true)] string? text, out HdFingerprint fingerprint)
    {
        fingerprint = default;
        if (text is not { Length: 8 } || !uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            return false;
        fingerprint = new HdFingerprint(value);
        return true;
    }

    public override string ToString() => Value.ToString("x8", CultureInfo.InvariantCulture);
}
