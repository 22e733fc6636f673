using Custody.Core.Chains.Bitcoin.Wire;

namespace Custody.Core.Chains.Bitcoin.Transactions;

/// <summary>A transaction output: an amount in the coin's base unit and the script that locks it.</summary>
public sealed class TxOutput : IEquatable<TxOutput>
{
    /// <summary>The fewest bytes an output takes on the wire (8-byte value, empty script).</summary>
    internal const int MinSize = 9;

    private readonly byte[] _scriptPubKey;

    public TxOutput(long value, ReadOnlySpan<byte> scriptPubKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        Value = value;
        _scriptPubKey = scriptPubKey.ToArray();
    }

    /// <summary>Satoshi (or litoshi, koinu): never negative.</summary>
    public long Value { get; }

    public ReadOnlySpan<byte> ScriptPubKey => _scriptPubKey;

    /// <summary>Parses exactly one serialised output (as PSBT_IN_WITNESS_UTXO carries it).</summary>
    public static TxOutput Parse(ReadOnlySpan<byte> bytes, string field)
    {
        var reader = new WireReader(bytes);
        var output = Read(ref reader, field);
        reader.EnsureEnd(field);
        return output;
    }

    internal static TxOutput Read(ref WireReader reader, string field)
    {
        var value = reader.ReadInt64(field + ".value");
        if (value < 0) throw new InvalidInputException(field + ".value", "negative amount");
        var script = reader.ReadVarBytes(field + ".scriptPubKey");
        return new TxOutput(value, script);
    }

    internal void Write(WireWriter writer)
    {
        writer.WriteInt64(Value);
        writer.WriteVarBytes(_scriptPubKey);
    }

    public byte[] ToBytes()
    {
        var writer = new WireWriter(_scriptPubKey.Length + 9);
        Write(writer);
        return writer.ToArray();
    }

    public bool Equals(TxOutput? other) =>
        other is not null && Value == other.Value && ScriptPubKey.SequenceEqual(other.ScriptPubKey);

    public override bool Equals(object? obj) => Equals(obj as TxOutput);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Value);
        hash.AddBytes(_scriptPubKey);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{Value} sat to {Convert.ToHexStringLower(_scriptPubKey)}";
}
