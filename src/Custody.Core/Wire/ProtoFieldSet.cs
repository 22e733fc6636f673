namespace Custody.Core.Wire;

/// <summary>
/// Tracks which fields of one protobuf message were seen. A singular field that appears
/// twice is refused: protobuf says the last one wins, and a decoder that shows the first
/// would show something else than what the node executes.
/// </summary>
internal struct ProtoFieldSet
{
    private ulong _seen;

    public void Once(string field, int number, ProtoWireType actual, ProtoWireType expected)
    {
        if (actual != expected) throw new InvalidInputException(field, $"field {number} has wire type {(int)actual}, expected {(int)expected}");
        var bit = 1UL << (number & 63);
        if ((_seen & bit) != 0) throw new InvalidInputException(field, $"field {number} appears more than once");
        _seen |= bit;
    }

    public readonly bool Has(int number) => (_seen & (1UL << (number & 63))) != 0;
}
