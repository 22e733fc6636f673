using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Chains.Bitcoin.Wire;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin.Sighash;

/// <summary>
/// BIP341 signature hash for taproot key-path spends, and BIP342's extension of it for
/// tapscript (script-path) spends. It commits to the amount and
/// script of every input's spent output, which is why it needs all of them; the
/// transaction-wide hashes (single SHA-256) are computed once.
/// </summary>
public sealed class TaprootSighash
{
    private readonly BitcoinTransaction _tx;
    private readonly IReadOnlyList<TxOutput> _spent;
    private readonly byte[] _shaPrevouts;
    private readonly byte[] _shaAmounts;
    private readonly byte[] _shaScriptPubKeys;
    private readonly byte[] _shaSequences;
    private readonly byte[] _shaOutputs;

    /// <param name="spentOutputs">The output each input spends, in input order.</param>
    public TaprootSighash(BitcoinTransaction tx, IReadOnlyList<TxOutput> spentOutputs)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(spentOutputs);
        if (spentOutputs.Count != tx.Inputs.Count)
            throw new ArgumentException("one spent output per input is needed", nameof(spentOutputs));
        _tx = tx;
        _spent = spentOutputs;
        var prevouts = new WireWriter(36 * tx.Inputs.Count);
        var amounts = new WireWriter(8 * tx.Inputs.Count);
        var scripts = new WireWriter(35 * tx.Inputs.Count);
        var sequences = new WireWriter(4 * tx.Inputs.Count);
        for (var i = 0; i < tx.Inputs.Count; i++)
        {
            prevouts.WriteBytes(tx.Inputs[i].PrevOut.Hash);
            prevouts.WriteUInt32(tx.Inputs[i].PrevOut.Index);
            amounts.WriteInt64(spentOutputs[i].Value);
            scripts.WriteVarBytes(spentOutputs[i].ScriptPubKey);
            sequences.WriteUInt32(tx.Inputs[i].Sequence);
        }
        var outputs = new WireWriter(34 * tx.Outputs.Count);
        foreach (var output in tx.Outputs) output.Write(outputs);
        _shaPrevouts = Hashes.Sha256(prevouts.WrittenSpan);
        _shaAmounts = Hashes.Sha256(amounts.WrittenSpan);
        _shaScriptPubKeys = Hashes.Sha256(scripts.WrittenSpan);
        _shaSequences = Hashes.Sha256(sequences.WrittenSpan);
        _shaOutputs = Hashes.Sha256(outputs.WrittenSpan);
    }

    public ReadOnlySpan<byte> ShaPrevouts => _shaPrevouts;

    public ReadOnlySpan<byte> ShaAmounts => _shaAmounts;

    public ReadOnlySpan<byte> ShaScriptPubKeys => _shaScriptPubKeys;

    public ReadOnlySpan<byte> ShaSequences => _shaSequences;

    public ReadOnlySpan<byte> ShaOutputs => _shaOutputs;

    /// <summary>hash_TapSighash(0x00 ‖ SigMsg) for a key-path spend (no annex).</summary>
    public byte[] ComputeKeyPath(int inputIndex, uint sighashType) =>
        Hashes.TaggedHash("TapSighash", KeyPathMessage(inputIndex, sighashType));

    /// <summary>
    /// hash_TapSighash(0x00 ‖ SigMsg(hash_type, ext_flag = 1) ‖ ext) for a tapscript spend of the
    /// leaf <paramref name="tapLeafHash"/> (BIP342: key_version 0, no OP_CODESEPARATOR executed, no annex).
    /// </summary>
    public byte[] ComputeScriptPath(int inputIndex, uint sighashType, ReadOnlySpan<byte> tapLeafHash)
    {
        if (tapLeafHash.Length != 32) throw new ArgumentException("a tapleaf hash is 32 bytes", nameof(tapLeafHash));
        return Hashes.TaggedHash("TapSighash", Message(inputIndex, sighashType, tapLeafHash));
    }

    /// <summary>The epoch byte 0x00 followed by BIP341's SigMsg(hash_type, ext_flag = 0).</summary>
    public byte[] KeyPathMessage(int inputIndex, uint sighashType) => Message(inputIndex, sighashType, []);

    // SigMsg with the BIP342 extension appended when a leaf hash is given (ext_flag 1).
    private byte[] Message(int inputIndex, uint sighashType, ReadOnlySpan<byte> tapLeafHash)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(inputIndex, _tx.Inputs.Count);
        if (!SighashType.IsValidTaproot(sighashType))
            throw new InvalidInputException($"input[{inputIndex}].sighash_type", $"0x{sighashType:x2} is not a taproot sighash type");
        var baseType = sighashType == SighashType.Default ? SighashType.All : SighashType.BaseType(sighashType);
        var anyoneCanPay = SighashType.HasAnyoneCanPay(sighashType);
        if (baseType == SighashType.Single && inputIndex >= _tx.Outputs.Count)
            throw new InvalidInputException($"input[{inputIndex}].sighash_type", "SIGHASH_SINGLE without an output at the same index");

        var writer = new WireWriter(256);
        writer.WriteByte(0x00); // epoch
        writer.WriteByte((byte)sighashType);
        writer.WriteInt32(_tx.Version);
        writer.WriteUInt32(_tx.LockTime);
        if (!anyoneCanPay)
        {
            writer.WriteBytes(_shaPrevouts);
            writer.WriteBytes(_shaAmounts);
            writer.WriteBytes(_shaScriptPubKeys);
            writer.WriteBytes(_shaSequences);
        }
        if (baseType is not (SighashType.None or SighashType.Single))
            writer.WriteBytes(_shaOutputs);
        var scriptPath = !tapLeafHash.IsEmpty;
        writer.WriteByte(scriptPath ? (byte)0x02 : (byte)0x00); // spend_type = 2·ext_flag + annex_present; no annex
        if (anyoneCanPay)
        {
            var input = _tx.Inputs[inputIndex];
            writer.WriteBytes(input.PrevOut.Hash);
            writer.WriteUInt32(input.PrevOut.Index);
            writer.WriteInt64(_spent[inputIndex].Value);
            writer.WriteVarBytes(_spent[inputIndex].ScriptPubKey);
            writer.WriteUInt32(input.Sequence);
        }
        else
        {
            writer.WriteUInt32((uint)inputIndex);
        }
        if (baseType == SighashType.Single)
            writer.WriteBytes(Hashes.Sha256(_tx.Outputs[inputIndex].ToBytes()));
        if (scriptPath)
        {
            writer.WriteBytes(tapLeafHash);
            writer.WriteByte(0x00); // key_version 0: BIP340 keys
            writer.WriteUInt32(0xffffffff); // codesep_pos: no OP_CODESEPARATOR executed
        }
        return writer.ToArray();
    }
}
