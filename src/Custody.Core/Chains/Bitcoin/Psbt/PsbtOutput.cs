using Custody.Core.Chains.Bitcoin.Wire;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>One output map of a version 0 PSBT (BIP174, BIP371), read and checked; see <see cref="PsbtInput"/>.</summary>
public sealed class PsbtOutput
{
    public PsbtOutput(int index, PsbtMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        Index = index;
        Map = map;
        var derivations = new List<PsbtDerivation>();
        var tapDerivations = new List<PsbtTapDerivation>();
        var unknown = new List<PsbtKeyValue>();
        foreach (var entry in map.Entries)
        {
            var field = $"{Name}.{PsbtOutputKey.Name(entry.KeyType)}";
            switch (entry.KeyType)
            {
                case PsbtOutputKey.RedeemScript:
                    PsbtField.RequireEmptyKey(entry, field);
                    RedeemScript = entry.Value.ToArray();
                    break;
                case PsbtOutputKey.WitnessScript:
                    PsbtField.RequireEmptyKey(entry, field);
                    WitnessScript = entry.Value.ToArray();
                    break;
                case PsbtOutputKey.Bip32Derivation:
                    derivations.Add(PsbtField.Derivation(entry, field));
                    break;
                case PsbtOutputKey.Amount or PsbtOutputKey.Script:
                    throw PsbtField.VersionTwoOnly(field);
                case PsbtOutputKey.TapInternalKey:
                    PsbtField.RequireEmptyKey(entry, field);
                    PsbtField.RequireValueLength(entry, field, 32);
                    TapInternalKey = entry.Value.ToArray();
                    break;
                case PsbtOutputKey.TapTree:
                    PsbtField.RequireEmptyKey(entry, field);
                    TapTree = ReadTapTree(entry.Value, field);
                    TapMerkleRoot = Taproot.MerkleRoot(TapTree, field);
                    break;
                case PsbtOutputKey.TapBip32Derivation:
                    tapDerivations.Add(PsbtField.TapDerivation(entry, field));
                    break;
                case PsbtOutputKey.Proprietary:
                    PsbtField.RequireProprietaryKey(entry, field);
                    unknown.Add(entry);
                    break;
                default:
                    unknown.Add(entry);
                    break;
            }
        }
        Bip32Derivations = derivations;
        TapBip32Derivations = tapDerivations;
        Unknown = unknown;
    }

    public int Index { get; }

    /// <summary>"output[i]", the prefix of every error about this output.</summary>
    public string Name => $"output[{Index}]";

    public PsbtMap Map { get; }

    public ReadOnlyMemory<byte>? RedeemScript { get; }

    public ReadOnlyMemory<byte>? WitnessScript { get; }

    public IReadOnlyList<PsbtDerivation> Bip32Derivations { get; }

    public ReadOnlyMemory<byte>? TapInternalKey { get; }

    /// <summary>The script tree's leaves, depth-first, when the output has one.</summary>
    public IReadOnlyList<PsbtTapTreeLeaf>? TapTree { get; }

    /// <summary>The merkle root of <see cref="TapTree"/> (computed, the tree's shape checked).</summary>
    public ReadOnlyMemory<byte>? TapMerkleRoot { get; }

    public IReadOnlyList<PsbtTapDerivation> TapBip32Derivations { get; }

    public IReadOnlyList<PsbtKeyValue> Unknown { get; }

    private static PsbtTapTreeLeaf[] ReadTapTree(ReadOnlySpan<byte> value, string field)
    {
        var reader = new WireReader(value);
        var leaves = new List<PsbtTapTreeLeaf>();
        while (!reader.IsAtEnd)
        {
            var depth = reader.ReadByte(field + ".depth");
            var version = reader.ReadByte(field + ".leaf_version");
            var script = reader.ReadVarBytes(field + ".script");
            leaves.Add(new PsbtTapTreeLeaf(depth, version, script.ToArray()));
        }
        return [.. leaves];
    }

    public PsbtOutput With(PsbtKeyValue entry) => new(Index, Map.With(entry));

    public PsbtOutput WithRedeemScript(ReadOnlySpan<byte> script) => With(PsbtKeyValue.Create(PsbtOutputKey.RedeemScript, [], script));

    public PsbtOutput WithWitnessScript(ReadOnlySpan<byte> script) => With(PsbtKeyValue.Create(PsbtOutputKey.WitnessScript, [], script));

    public PsbtOutput WithBip32Derivation(ReadOnlySpan<byte> publicKey, KeyOrigin origin) =>
        With(PsbtKeyValue.Create(PsbtOutputKey.Bip32Derivation, publicKey, origin.ToBytes()));

    public PsbtOutput WithTapInternalKey(ReadOnlySpan<byte> xOnlyKey) => With(PsbtKeyValue.Create(PsbtOutputKey.TapInternalKey, [], xOnlyKey));

    public PsbtOutput WithTapBip32Derivation(ReadOnlySpan<byte> xOnlyKey, IReadOnlyList<ReadOnlyMemory<byte>> leafHashes, KeyOrigin origin) =>
        With(PsbtKeyValue.Create(PsbtOutputKey.TapBip32Derivation, xOnlyKey, PsbtField.TapDerivationValue(leafHashes, origin)));

    public PsbtOutput WithTapTree(IReadOnlyList<PsbtTapTreeLeaf> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var writer = new WireWriter();
        foreach (var leaf in leaves)
        {
            writer.WriteByte(leaf.Depth);
            writer.WriteByte(leaf.LeafVersion);
            writer.WriteVarBytes(leaf.Script.Span);
        }
        return With(PsbtKeyValue.Create(PsbtOutputKey.TapTree, [], writer.WrittenSpan));
    }
}
