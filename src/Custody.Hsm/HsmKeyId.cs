using System.Buffers.Binary;
using System.Globalization;
using Custody.Core;

namespace Custody.Hsm;

/// <summary>
/// The stable name of an HSM key pair: 16 random bytes from the HSM, stored as CKA_ID on both halves
/// and shown as 32 lower-case hex digits. Object handles change with every module load; this does not.
/// </summary>
public readonly struct HsmKeyId : IEquatable<HsmKeyId>
{
    public const int Length = 16;

    private readonly UInt128 _value;

    private HsmKeyId(UInt128 value) => _value = value;

    public static HsmKeyId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new InvalidInputException("keyId", $"a key id is {Length} bytes, got {bytes.Length}");
        return new HsmKeyId(BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    public static HsmKeyId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new InvalidInputException("keyId", $"a key id is {2 * Length} hex digits");

    public static bool TryParse(string? text, out HsmKeyId id)
    {
        id = default;
        if (text is null || text.Length != 2 * Length) return false;
        if (!UInt128.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)) return false;
        id = new HsmKeyId(value);
        return true;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, _value);
        return bytes;
    }

    public override string ToString() => _value.ToString("x32", CultureInfo.InvariantCulture);

    public bool Equals(HsmKeyId other) => _value == other._value;

    public override bool Equals(object? obj) => obj is HsmKeyId other && Equals(other);

    public override int GetHashCode() => _value.GetHashCode();

    public static bool operator ==(HsmKeyId left, HsmKeyId right) => left.Equals(right);

    public static bool operator !=(HsmKeyId left, HsmKeyId right) => !left.Equals(right);
}
