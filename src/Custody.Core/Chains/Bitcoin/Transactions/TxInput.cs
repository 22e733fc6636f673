using System.Collections.ObjectModel;
using Custody.Core.Chains.Bitcoin.Wire;

namespace Custody.Core.Chains.Bitcoin.Transactions;

/// <summary>A transaction input: the outpoint it spends, its scriptSig, sequence and witness stack.</summary>
public sealed class TxInput
{
    /// <summary>The fewest bytes an input takes on the wire (outpoint, empty scriptSig, sequence).</summary>
    internal const int MinSize = 41;

    private readonly byte[] _scriptSig;
    private readonly byte[][] _witness;

    public TxInput(OutPoint prevOut, ReadOnlySpan<byte> scriptSig, uint sequence, IEnumerable<byte[]>? witness = null)
    {
        PrevOut = prevOut;
        _scriptSig = scriptSig.ToArray();
        Sequence = sequence;
        _witness = witness is null ? [] : [.. witness.Select(item => (byte[])item.Clone())];
        Witness = new ReadOnlyCollection<ReadOnlyMemory<byte>>([.. _witness.Select(item => new ReadOnlyMemory<byte>(item))]);
    }

    public OutPoint PrevOut { get; }

    public ReadOnlySpan<byte> ScriptSig => _scriptSig;

    public uint Sequence { get; }

    /// <summary>The witness stack, bottom first; empty for a non-segwit input.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Witness { get; }

    /// <summary>The same input with another scriptSig and witness (what a finaliser fills in).</summary>
    public TxInput With(ReadOnlySpan<byte> scriptSig, IEnumerable<byte[]>? witness) => new(PrevOut, scriptSig, Sequence, witness);

    internal static TxInput Read(ref WireReader reader, string field)
    {
        var hash = reader.ReadBytes(field + ".prevout", 32);
        var index = reader.ReadUInt32(field + ".prevout");
        var scriptSig = reader.ReadVarBytes(field + ".scriptSig");
        var sequence = reader.ReadUInt32(field + ".sequence");
        return new TxInput(new OutPoint(hash, index), scriptSig, sequence);
    }

    internal void Write(WireWriter writer)
    {
        writer.WriteBytes(PrevOut.Hash);
        writer.WriteUInt32(PrevOut.Index);
        writer.WriteVarBytes(_scriptSig);
        writer.WriteUInt32(Sequence);
    }

    internal void WriteWitness(WireWriter writer) => WitnessStack.Write(writer, _witness);
}
