using System.Buffers.Binary;
using Custody.Core.Hd;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// Where a key comes from: the master key's fingerprint and the derivation path
/// (a PSBT's bip32_derivation value). The fingerprint is the first four bytes of
/// HASH160(master public key) read big-endian, as <see cref="IKeyRing.MasterFingerprint"/> holds it.
/// </summary>
public sealed record KeyOrigin(uint Fingerprint, KeyPath Path)
{
    private const int MaxDepth = 255;

    /// <summary>4-byte fingerprint then 32-bit little-endian indexes.</summary>
    public static KeyOrigin Parse(ReadOnlySpan<byte> value, string field)
    {
        if (value.Length < 4 || value.Length % 4 != 0)
            throw new InvalidInputException(field, $"key origin is {value.Length} bytes; expected a 4-byte fingerprint and 4 bytes per path level");
        var depth = value.Length / 4 - 1;
        if (depth > MaxDepth) throw new InvalidInputException(field, $"derivation path deeper than {MaxDepth} levels");
        var indexes = new uint[depth];
        for (var i = 0; i < depth; i++)
            indexes[i] = BinaryPrimitives.ReadUInt32LittleEndian(value.Slice(4 + 4 * i, 4));
        return new KeyOrigin(BinaryPrimitives.ReadUInt32BigEndian(value), KeyPath.FromIndexes(indexes));
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[4 + 4 * Path.Depth];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Fingerprint);
        for (var i = 0; i < Path.Depth; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4 + 4 * i), Path[i]);
        return bytes;
    }

    /// <summary>Descriptor notation, e.g. [d90c6a4f/84'/0'/0'/0/5].</summary>
    public override string ToString() => $"[{Fingerprint:x8}{Path.ToString()[1..]}]";
}
