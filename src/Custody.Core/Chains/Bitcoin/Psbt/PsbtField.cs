using Custody.Core.Chains.Bitcoin.Wire;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>The shape rules BIP174/BIP371 put on keys and values, shared by the three map kinds.</summary>
internal static class PsbtField
{
    public static void RequireEmptyKey(PsbtKeyValue entry, string field)
    {
        if (!entry.KeyData.IsEmpty)
            throw new InvalidInputException(field, $"key must be the type alone, without key data (found {entry.KeyData.Length} bytes)");
    }

    public static void RequireKeyLength(PsbtKeyValue entry, string field, int length, string what)
    {
        if (entry.KeyData.Length != length)
            throw new InvalidInputException(field, $"key data must be {what} ({length} bytes), not {entry.KeyData.Length} bytes");
    }

    public static void RequireValueLength(PsbtKeyValue entry, string field, int length)
    {
        if (entry.Value.Length != length)
            throw new InvalidInputException(field, $"value must be {length} bytes, not {entry.Value.Length}");
    }

    public static ReadOnlyMemory<byte> PublicKeyInKey(PsbtKeyValue entry, string field)
    {
        var key = entry.KeyData;
        if (key.Length is not (33 or 65))
            throw new InvalidInputException(field, $"key data must be a 33- or 65-byte public key, not {key.Length} bytes");
        if (!Secp256k1.IsValidPublicKey(key))
            throw new InvalidInputException(field, "key data is not a valid secp256k1 public key");
        return key.ToArray();
    }

    public static InvalidInputException VersionTwoOnly(string field) =>
        new(field, "a PSBT version 2 field (BIP370) in a version 0 PSBT");

    public static PsbtDerivation Derivation(PsbtKeyValue entry, string field) =>
        new(PublicKeyInKey(entry, field), KeyOrigin.Parse(entry.Value, field));

    public static PsbtTapDerivation TapDerivation(PsbtKeyValue entry, string field)
    {
        RequireKeyLength(entry, field, 32, "an x-only public key");
        var reader = new WireReader(entry.Value);
        var count = reader.ReadCount(field, 32);
        var leafHashes = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
            leafHashes[i] = reader.ReadBytes(field, 32).ToArray();
        var origin = KeyOrigin.Parse(reader.ReadBytes(field, reader.Remaining), field);
        return new PsbtTapDerivation(entry.KeyData.ToArray(), leafHashes, origin);
    }

    public static byte[] TapDerivationValue(IReadOnlyList<ReadOnlyMemory<byte>> leafHashes, KeyOrigin origin)
    {
        var writer = new WireWriter();
        writer.WriteCompactSize((ulong)leafHashes.Count);
        foreach (var hash in leafHashes)
        {
            if (hash.Length != 32) throw new ArgumentException("a leaf hash is 32 bytes", nameof(leafHashes));
            writer.WriteBytes(hash.Span);
        }
        writer.WriteBytes(origin.ToBytes());
        return writer.ToArray();
    }

    /// <summary>A Schnorr signature, with a sighash byte only when it is not SIGHASH_DEFAULT (BIP341).</summary>
    public static void RequireSchnorrSignature(ReadOnlySpan<byte> value, string field)
    {
        if (value.Length is not (64 or 65))
            throw new InvalidInputException(field, $"a Schnorr signature is 64 or 65 bytes, not {value.Length}");
        if (value.Length == 65 && value[64] == 0)
            throw new InvalidInputException(field, "a 65-byte Schnorr signature must not carry sighash 0x00 (SIGHASH_DEFAULT is implicit)");
    }

    /// <summary>PSBT_*_PROPRIETARY key data: identifier (with length), subtype, then free key data.</summary>
    public static void RequireProprietaryKey(PsbtKeyValue entry, string field)
    {
        var reader = new WireReader(entry.KeyData);
        reader.ReadVarBytes(field + ".identifier");
        reader.ReadCompactSize(field + ".subtype");
    }

    public static void RequirePreimage(PsbtHashKind kind, ReadOnlySpan<byte> hash, ReadOnlySpan<byte> preimage, string field)
    {
        var actual = kind switch
        {
            PsbtHashKind.Ripemd160 => Hashes.Ripemd160(preimage),
            PsbtHashKind.Sha256 => Hashes.Sha256(preimage),
            PsbtHashKind.Hash160 => Hashes.Hash160(preimage),
            _ => Hashes.Sha256d(preimage),
        };
        if (!actual.AsSpan().SequenceEqual(hash)) throw new InvalidInputException(field, "the preimage does not hash to the key");
    }
}
