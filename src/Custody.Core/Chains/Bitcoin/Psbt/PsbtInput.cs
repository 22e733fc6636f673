using System.Buffers.Binary;
using Custody.Core.Chains.Bitcoin.Transactions;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// One input map of a version 0 PSBT with every BIP174 and BIP371 field read and
/// checked. The map stays the source of truth: the With… methods return a new input
/// over a changed map, and unknown or proprietary fields pass through untouched.
/// </summary>
public sealed class PsbtInput
{
    /// <summary>
    /// The most tap_leaf_script entries an input may carry. Each leaf costs the signer and the
    /// finaliser an EC tweak to check its control block; a coordinator lists the few leaves its
    /// signers use, so this bounds the work per input without refusing real PSBTs.
    /// </summary>
    public const int MaxTapLeafScripts = 256;

    private Dictionary<string, PsbtTapScriptSignature>? _tapScriptSignatureIndex;
    private (byte[] OutputKey, bool[] Commits)? _leafCommitments;

    public PsbtInput(int index, PsbtMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        Index = index;
        Map = map;
        var partialSignatures = new List<PsbtPartialSignature>();
        var derivations = new List<PsbtDerivation>();
        var preimages = new List<PsbtPreimage>();
        var tapScriptSignatures = new List<PsbtTapScriptSignature>();
        var tapLeafScripts = new List<PsbtTapLeafScript>();
        var tapDerivations = new List<PsbtTapDerivation>();
        var unknown = new List<PsbtKeyValue>();
        foreach (var entry in map.Entries)
        {
            var field = $"{Name}.{PsbtInputKey.Name(entry.KeyType)}";
            switch (entry.KeyType)
            {
                case PsbtInputKey.NonWitnessUtxo:
                    PsbtField.RequireEmptyKey(entry, field);
                    NonWitnessUtxo = BitcoinTransaction.Parse(entry.Value, allowWitness: true, field);
                    break;
                case PsbtInputKey.WitnessUtxo:
                    PsbtField.RequireEmptyKey(entry, field);
                    WitnessUtxo = TxOutput.Parse(entry.Value, field);
                    break;
                case PsbtInputKey.PartialSig:
                    partialSignatures.Add(new PsbtPartialSignature(PsbtField.PublicKeyInKey(entry, field), entry.Value.ToArray()));
                    break;
                case PsbtInputKey.SighashType:
                    PsbtField.RequireEmptyKey(entry, field);
                    PsbtField.RequireValueLength(entry, field, 4);
                    SighashType = BinaryPrimitives.ReadUInt32LittleEndian(entry.Value);
                    break;
                case PsbtInputKey.RedeemScript:
                    PsbtField.RequireEmptyKey(entry, field);
                    RedeemScript = entry.Value.ToArray();
                    break;
                case PsbtInputKey.WitnessScript:
                    PsbtField.RequireEmptyKey(entry, field);
                    WitnessScript = entry.Value.ToArray();
                    break;
                case PsbtInputKey.Bip32Derivation:
                    derivations.Add(PsbtField.Derivation(entry, field));
                    break;
                case PsbtInputKey.FinalScriptSig:
                    PsbtField.RequireEmptyKey(entry, field);
                    FinalScriptSig = entry.Value.ToArray();
                    break;
                case PsbtInputKey.FinalScriptWitness:
                    PsbtField.RequireEmptyKey(entry, field);
                    FinalScriptWitness = WitnessStack.Parse(entry.Value, field);
                    break;
                case PsbtInputKey.PorCommitment:
                    PsbtField.RequireEmptyKey(entry, field);
                    PorCommitment = entry.Value.ToArray();
                    break;
                case PsbtInputKey.Ripemd160 or PsbtInputKey.Sha256 or PsbtInputKey.Hash160 or PsbtInputKey.Hash256:
                    preimages.Add(Preimage(entry, field));
                    break;
                case PsbtInputKey.PreviousTxid or PsbtInputKey.OutputIndex or PsbtInputKey.Sequence
                    or PsbtInputKey.RequiredTimeLocktime or PsbtInputKey.RequiredHeightLocktime:
                    throw PsbtField.VersionTwoOnly(field);
                case PsbtInputKey.TapKeySig:
                    PsbtField.RequireEmptyKey(entry, field);
                    PsbtField.RequireSchnorrSignature(entry.Value, field);
                    TapKeySignature = entry.Value.ToArray();
                    break;
                case PsbtInputKey.TapScriptSig:
                    PsbtField.RequireKeyLength(entry, field, 64, "an x-only key and a leaf hash");
                    PsbtField.RequireSchnorrSignature(entry.Value, field);
                    tapScriptSignatures.Add(new PsbtTapScriptSignature(
                        entry.KeyData[..32].ToArray(), entry.KeyData[32..].ToArray(), entry.Value.ToArray()));
                    break;
                case PsbtInputKey.TapLeafScript:
                    tapLeafScripts.Add(LeafScript(entry, field));
                    break;
                case PsbtInputKey.TapBip32Derivation:
                    tapDerivations.Add(PsbtField.TapDerivation(entry, field));
                    break;
                case PsbtInputKey.TapInternalKey:
                    PsbtField.RequireEmptyKey(entry, field);
                    PsbtField.RequireValueLength(entry, field, 32);
                    TapInternalKey = entry.Value.ToArray();
                    break;
                case PsbtInputKey.TapMerkleRoot:
                    PsbtField.RequireEmptyKey(entry, field);
                    PsbtField.RequireValueLength(entry, field, 32);
                    TapMerkleRoot = entry.Value.ToArray();
                    break;
                case PsbtInputKey.Proprietary:
                    PsbtField.RequireProprietaryKey(entry, field);
                    unknown.Add(entry);
                    break;
                default:
                    unknown.Add(entry);
                    break;
            }
        }
        if (tapLeafScripts.Count > MaxTapLeafScripts)
            throw new InvalidInputException($"{Name}.{PsbtInputKey.Name(PsbtInputKey.TapLeafScript)}",
                $"{tapLeafScripts.Count} leaf scripts; at most {MaxTapLeafScripts} per input are examined");
        PartialSignatures = partialSignatures;
        Bip32Derivations = derivations;
        Preimages = preimages;
        TapScriptSignatures = tapScriptSignatures;
        TapLeafScripts = tapLeafScripts;
        TapBip32Derivations = tapDerivations;
        Unknown = unknown;
    }

    public int Index { get; }

    /// <summary>"input[i]", the prefix of every error about this input.</summary>
    public string Name => $"input[{Index}]";

    public PsbtMap Map { get; }

    public BitcoinTransaction? NonWitnessUtxo { get; }

    public TxOutput? WitnessUtxo { get; }

    public IReadOnlyList<PsbtPartialSignature> PartialSignatures { get; }

    public uint? SighashType { get; }

    public ReadOnlyMemory<byte>? RedeemScript { get; }

    public ReadOnlyMemory<byte>? WitnessScript { get; }

    public IReadOnlyList<PsbtDerivation> Bip32Derivations { get; }

    public ReadOnlyMemory<byte>? FinalScriptSig { get; }

    public IReadOnlyList<byte[]>? FinalScriptWitness { get; }

    public ReadOnlyMemory<byte>? PorCommitment { get; }

    public IReadOnlyList<PsbtPreimage> Preimages { get; }

    public ReadOnlyMemory<byte>? TapKeySignature { get; }

    public IReadOnlyList<PsbtTapScriptSignature> TapScriptSignatures { get; }

    public IReadOnlyList<PsbtTapLeafScript> TapLeafScripts { get; }

    /// <summary>
    /// Whether each tap_leaf_script's control block commits its leaf to <paramref name="outputKey"/>
    /// (<see cref="Taproot.ControlBlockCommits"/>), in order. An EC tweak per leaf, so it is computed
    /// once per input and kept: the signer, the progress report and the finaliser all ask.
    /// </summary>
    public IReadOnlyList<bool> LeafCommitments(ReadOnlySpan<byte> outputKey)
    {
        if (_leafCommitments is { } known && outputKey.SequenceEqual(known.OutputKey)) return known.Commits;
        var commits = new bool[TapLeafScripts.Count];
        for (var i = 0; i < commits.Length; i++)
            commits[i] = Taproot.ControlBlockCommits(TapLeafScripts[i].ControlBlock.Span, TapLeafScripts[i].LeafVersion, TapLeafScripts[i].Script.Span, outputKey);
        _leafCommitments = (outputKey.ToArray(), commits);
        return commits;
    }

    /// <summary>The tap_script_sig of <paramref name="xOnlyKey"/> for the leaf <paramref name="leafHash"/>, or null (one lookup, not a scan).</summary>
    public PsbtTapScriptSignature? TapScriptSignature(ReadOnlySpan<byte> xOnlyKey, ReadOnlySpan<byte> leafHash)
    {
        _tapScriptSignatureIndex ??= TapScriptSignatures.ToDictionary(
            s => Convert.ToHexStringLower(s.XOnlyKey.Span) + Convert.ToHexStringLower(s.LeafHash.Span), StringComparer.Ordinal);
        return _tapScriptSignatureIndex.GetValueOrDefault(Convert.ToHexStringLower(xOnlyKey) + Convert.ToHexStringLower(leafHash));
    }

    public IReadOnlyList<PsbtTapDerivation> TapBip32Derivations { get; }

    public ReadOnlyMemory<byte>? TapInternalKey { get; }

    public ReadOnlyMemory<byte>? TapMerkleRoot { get; }

    /// <summary>Unknown and proprietary fields, kept as they came.</summary>
    public IReadOnlyList<PsbtKeyValue> Unknown { get; }

    /// <summary>True once a finaliser has set the final scriptSig and/or witness.</summary>
    public bool IsFinalized => FinalScriptSig is not null || FinalScriptWitness is not null;

    private static PsbtPreimage Preimage(PsbtKeyValue entry, string field)
    {
        var (kind, length) = entry.KeyType switch
        {
            PsbtInputKey.Ripemd160 => (PsbtHashKind.Ripemd160, 20),
            PsbtInputKey.Sha256 => (PsbtHashKind.Sha256, 32),
            PsbtInputKey.Hash160 => (PsbtHashKind.Hash160, 20),
            _ => (PsbtHashKind.Hash256, 32),
        };
        PsbtField.RequireKeyLength(entry, field, length, "the hash");
        PsbtField.RequirePreimage(kind, entry.KeyData, entry.Value, field);
        return new PsbtPreimage(kind, entry.KeyData.ToArray(), entry.Value.ToArray());
    }

    private static PsbtTapLeafScript LeafScript(PsbtKeyValue entry, string field)
    {
        var control = entry.KeyData;
        if (control.Length < 33 || (control.Length - 33) % 32 != 0 || (control.Length - 33) / 32 > Taproot.MaxTreeDepth)
            throw new InvalidInputException(field, $"a control block is 33 + 32·m bytes (m ≤ {Taproot.MaxTreeDepth}), not {control.Length}");
        if (entry.Value.IsEmpty) throw new InvalidInputException(field, "value must be the script followed by its leaf version");
        return new PsbtTapLeafScript(control.ToArray(), entry.Value[..^1].ToArray(), entry.Value[^1]);
    }

    // Updater and signer: each returns the input over the changed map.

    public PsbtInput With(PsbtKeyValue entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var next = new PsbtInput(Index, Map.With(entry));
        if (entry.KeyType != PsbtInputKey.TapLeafScript) next._leafCommitments = _leafCommitments; // the leaves are unchanged
        return next;
    }

    public PsbtInput WithNonWitnessUtxo(BitcoinTransaction previousTransaction) =>
        With(PsbtKeyValue.Create(PsbtInputKey.NonWitnessUtxo, [], previousTransaction.ToBytes()));

    public PsbtInput WithWitnessUtxo(TxOutput spentOutput) =>
        With(PsbtKeyValue.Create(PsbtInputKey.WitnessUtxo, [], spentOutput.ToBytes()));

    public PsbtInput WithPartialSignature(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> signatureWithSighash) =>
        With(PsbtKeyValue.Create(PsbtInputKey.PartialSig, publicKey, signatureWithSighash));

    public PsbtInput WithSighashType(uint sighashType)
    {
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(value, sighashType);
        return With(PsbtKeyValue.Create(PsbtInputKey.SighashType, [], value));
    }

    public PsbtInput WithRedeemScript(ReadOnlySpan<byte> script) => With(PsbtKeyValue.Create(PsbtInputKey.RedeemScript, [], script));

    public PsbtInput WithWitnessScript(ReadOnlySpan<byte> script) => With(PsbtKeyValue.Create(PsbtInputKey.WitnessScript, [], script));

    public PsbtInput WithBip32Derivation(ReadOnlySpan<byte> publicKey, KeyOrigin origin) =>
        With(PsbtKeyValue.Create(PsbtInputKey.Bip32Derivation, publicKey, origin.ToBytes()));

    public PsbtInput WithTapBip32Derivation(ReadOnlySpan<byte> xOnlyKey, IReadOnlyList<ReadOnlyMemory<byte>> leafHashes, KeyOrigin origin) =>
        With(PsbtKeyValue.Create(PsbtInputKey.TapBip32Derivation, xOnlyKey, PsbtField.TapDerivationValue(leafHashes, origin)));

    public PsbtInput WithTapInternalKey(ReadOnlySpan<byte> xOnlyKey) => With(PsbtKeyValue.Create(PsbtInputKey.TapInternalKey, [], xOnlyKey));

    public PsbtInput WithTapMerkleRoot(ReadOnlySpan<byte> merkleRoot) => With(PsbtKeyValue.Create(PsbtInputKey.TapMerkleRoot, [], merkleRoot));

    public PsbtInput WithTapKeySignature(ReadOnlySpan<byte> signature) => With(PsbtKeyValue.Create(PsbtInputKey.TapKeySig, [], signature));

    public PsbtInput WithTapScriptSignature(ReadOnlySpan<byte> xOnlyKey, ReadOnlySpan<byte> leafHash, ReadOnlySpan<byte> signature) =>
        With(PsbtKeyValue.Create(PsbtInputKey.TapScriptSig, [.. xOnlyKey, .. leafHash], signature));

    public PsbtInput WithTapLeafScript(ReadOnlySpan<byte> controlBlock, ReadOnlySpan<byte> script, byte leafVersion) =>
        With(PsbtKeyValue.Create(PsbtInputKey.TapLeafScript, controlBlock, [.. script, leafVersion]));

    /// <summary>
    /// The finaliser's result (BIP174): the final scriptSig and/or witness, keeping only
    /// the UTXO fields and unknown or proprietary ones; everything else is cleared.
    /// </summary>
    public PsbtInput Finalized(ReadOnlySpan<byte> scriptSig, IReadOnlyList<byte[]>? witness)
    {
        var kept = Map.Where(e => e.KeyType is PsbtInputKey.NonWitnessUtxo or PsbtInputKey.WitnessUtxo ||
                                  Unknown.Contains(e));
        if (!scriptSig.IsEmpty) kept = kept.With(PsbtKeyValue.Create(PsbtInputKey.FinalScriptSig, [], scriptSig));
        if (witness is { Count: > 0 }) kept = kept.With(PsbtKeyValue.Create(PsbtInputKey.FinalScriptWitness, [], WitnessStack.ToBytes(witness)));
        return new PsbtInput(Index, kept);
    }
}
