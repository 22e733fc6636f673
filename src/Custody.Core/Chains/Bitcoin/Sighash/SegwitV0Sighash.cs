using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Chains.Bitcoin.Wire;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin.Sighash;

/// <summary>
/// BIP143 signature hash for segwit version 0 inputs (P2WPKH, P2SH-P2WPKH, P2WSH).
/// The three transaction-wide hashes are computed once per transaction, so signing
/// n inputs costs O(n), not O(n²). The preimage commits to the spent amount.
/// </summary>
public sealed class SegwitV0Sighash
{
    private readonly BitcoinTransaction _tx;
    private readonly byte[] _hashPrevouts;
    private readonly byte[] _hashSequence;
    private readonly byte[] _hashOutputs;

    public SegwitV0Sighash(BitcoinTransaction tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        _tx = tx;
        var prevouts = new WireWriter(36 * tx.Inputs.Count);
        var sequences = new WireWriter(4 * tx.Inputs.Count);
        foreach (var input in tx.Inputs)
        {
            prevouts.WriteBytes(input.PrevOut.Hash);
            prevouts.WriteUInt32(input.PrevOut.Index);
            sequences.WriteUInt32(input.Sequence);
        }
        var outputs = new WireWriter(34 * tx.Outputs.Count);
        foreach (var output in tx.Outputs) output.Write(outputs);
        _hashPrevouts = Hashes.Sha256d(prevouts.WrittenSpan);
        _hashSequence = Hashes.Sha256d(sequences.WrittenSpan);
        _hashOutputs = Hashes.Sha256d(outputs.WrittenSpan);
    }

    public ReadOnlySpan<byte> HashPrevouts => _hashPrevouts;

    public ReadOnlySpan<byte> HashSequence => _hashSequence;

    public ReadOnlySpan<byte> HashOutputs => _hashOutputs;

    /// <param name="scriptCode">Without its length prefix: for P2WPKH the P2PKH script of the key hash, for P2WSH the witness script.</param>
    /// <param name="amount">The value of the output being spent; the signature commits to it.</param>
    public byte[] Compute(int inputIndex, ReadOnlySpan<byte> scriptCode, long amount, uint sighashType) =>
        Hashes.Sha256d(Preimage(inputIndex, scriptCode, amount, sighashType));

    /// <summary>The BIP143 preimage (what <see cref="Compute"/> double-hashes).</summary>
    public byte[] Preimage(int inputIndex, ReadOnlySpan<byte> scriptCode, long amount, uint sighashType)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(inputIndex, _tx.Inputs.Count);
        var baseType = SighashType.BaseType(sighashType);
        var anyoneCanPay = SighashType.HasAnyoneCanPay(sighashType);
        if (baseType == SighashType.Single && inputIndex >= _tx.Outputs.Count)
            throw new InvalidInputException($"input[{inputIndex}].sighash_type", "SIGHASH_SINGLE without an output at the same index");
        ReadOnlySpan<byte> zero = stackalloc byte[32];
        var input = _tx.Inputs[inputIndex];

        var writer = new WireWriter(160 + scriptCode.Length);
        writer.WriteInt32(_tx.Version);
        writer.WriteBytes(anyoneCanPay ? zero : _hashPrevouts);
        writer.WriteBytes(anyoneCanPay || baseType is SighashType.None or SighashType.Single ? zero : _hashSequence);
        writer.WriteBytes(input.PrevOut.Hash);
        writer.WriteUInt32(input.PrevOut.Index);
        writer.WriteVarBytes(scriptCode);
        writer.WriteInt64(amount);
        writer.WriteUInt32(input.Sequence);
        if (baseType is not (SighashType.None or SighashType.Single))
            writer.WriteBytes(_hashOutputs);
        else if (baseType == SighashType.Single)
            writer.WriteBytes(Hashes.Sha256d(_tx.Outputs[inputIndex].ToBytes()));
        else
            writer.WriteBytes(zero);
        writer.WriteUInt32(_tx.LockTime);
        writer.WriteUInt32(sighashType);
        return writer.ToArray();
    }
}
