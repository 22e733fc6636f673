using Custody.Core.Chains.Bitcoin.Wire;

namespace Custody.Core.Chains.Bitcoin.Transactions;

/// <summary>A witness stack on the wire: a CompactSize count, then each item with its length.</summary>
public static class WitnessStack
{
    public static byte[][] Parse(ReadOnlySpan<byte> bytes, string field)
    {
        var reader = new WireReader(bytes);
        var stack = Read(ref reader, field);
        reader.EnsureEnd(field);
        return stack;
    }

    internal static byte[][] Read(ref WireReader reader, string field)
    {
        var count = reader.ReadCount(field, 1);
        var stack = new byte[count][];
        for (var i = 0; i < count; i++)
            stack[i] = reader.ReadVarBytes(field).ToArray();
        return stack;
    }

    public static byte[] ToBytes(IReadOnlyList<byte[]> stack)
    {
        var writer = new WireWriter();
        Write(writer, stack);
        return writer.ToArray();
    }

    internal static void Write(WireWriter writer, IReadOnlyList<byte[]> stack)
    {
        writer.WriteCompactSize((ulong)stack.Count);
        foreach (var item in stack) writer.WriteVarBytes(item);
    }
}
