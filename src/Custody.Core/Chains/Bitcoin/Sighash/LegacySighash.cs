using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Chains.Bitcoin.Wire;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin.Sighash;

/// <summary>
/// The original (pre-segwit) signature hash: the transaction re-serialised with the
/// signed input's scriptSig replaced by the script code, others emptied and trimmed
/// as the sighash type says, then the 4-byte type, double SHA-256.
/// </summary>
public static class LegacySighash
{
    private const byte OpCodeSeparator = 0xab;

    /// <param name="scriptCode">The script being satisfied: the previous output script, or the redeem script for P2SH.</param>
    public static byte[] Compute(BitcoinTransaction tx, int inputIndex, ReadOnlySpan<byte> scriptCode, uint sighashType)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentOutOfRangeException.ThrowIfNegative(inputIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(inputIndex, tx.Inputs.Count);
        var baseType = SighashType.BaseType(sighashType);
        var anyoneCanPay = SighashType.HasAnyoneCanPay(sighashType);
        if (baseType == SighashType.Single && inputIndex >= tx.Outputs.Count)
            throw new InvalidInputException($"input[{inputIndex}].sighash_type", "SIGHASH_SINGLE without an output at the same index");

        var code = RemoveCodeSeparators(scriptCode);
        var writer = new WireWriter(128 + tx.Inputs.Count * 41 + tx.Outputs.Count * 34 + code.Length);
        writer.WriteInt32(tx.Version);

        writer.WriteCompactSize(anyoneCanPay ? 1UL : (ulong)tx.Inputs.Count);
        for (var i = 0; i < tx.Inputs.Count; i++)
        {
            if (anyoneCanPay && i != inputIndex) continue;
            var input = tx.Inputs[i];
            writer.WriteBytes(input.PrevOut.Hash);
            writer.WriteUInt32(input.PrevOut.Index);
            writer.WriteVarBytes(i == inputIndex ? code : []);
            var zeroSequence = i != inputIndex && baseType is SighashType.None or SighashType.Single;
            writer.WriteUInt32(zeroSequence ? 0 : input.Sequence);
        }

        switch (baseType)
        {
            case SighashType.None:
                writer.WriteCompactSize(0);
                break;
            case SighashType.Single:
                writer.WriteCompactSize((ulong)inputIndex + 1);
                for (var i = 0; i < inputIndex; i++)
                {
                    writer.WriteInt64(-1); // outputs before the signed one: value -1, empty script
                    writer.WriteCompactSize(0);
                }
                tx.Outputs[inputIndex].Write(writer);
                break;
            default:
                writer.WriteCompactSize((ulong)tx.Outputs.Count);
                foreach (var output in tx.Outputs) output.Write(writer);
                break;
        }

        writer.WriteUInt32(tx.LockTime);
        writer.WriteUInt32(sighashType);
        return Hashes.Sha256d(writer.WrittenSpan);
    }

    /// <summary>The script code without OP_CODESEPARATOR opcodes (push data is skipped over, not searched).</summary>
    internal static byte[] RemoveCodeSeparators(ReadOnlySpan<byte> script)
    {
        if (script.IndexOf(OpCodeSeparator) < 0) return script.ToArray();
        var result = new List<byte>(script.Length);
        var position = 0;
        while (position < script.Length)
        {
            var opcode = script[position];
            var length = 1 + PushLength(script, position);
            if (position + length > script.Length) length = script.Length - position; // malformed tail: copied as is
            if (opcode != OpCodeSeparator)
                foreach (var b in script.Slice(position, length)) result.Add(b);
            position += length;
        }
        return [.. result];
    }

    // Bytes after the opcode that belong to it (its length prefix and pushed data).
    private static int PushLength(ReadOnlySpan<byte> script, int position)
    {
        var opcode = script[position];
        var rest = script.Length - position - 1;
        return opcode switch
        {
            < 0x4c => opcode,
            0x4c when rest >= 1 => 1 + script[position + 1],
            0x4d when rest >= 2 => 2 + (script[position + 1] | (script[position + 2] << 8)),
            0x4e when rest >= 4 => (int)Math.Min(int.MaxValue - 8, 4 + System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(script.Slice(position + 1, 4))),
            0x4c or 0x4d or 0x4e => rest,
            _ => 0,
        };
    }
}
