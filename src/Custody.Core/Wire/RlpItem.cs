namespace Custody.Core.Wire;

/// <summary>A decoded RLP item: a byte string or a list of items.</summary>
public sealed class RlpItem
{
    private readonly byte[] _bytes;

    private RlpItem(byte[] bytes, RlpItem[] items, bool isList)
    {
        _bytes = bytes;
        Items = Array.AsReadOnly(items);
        IsList = isList;
    }

    public static RlpItem String(ReadOnlySpan<byte> bytes) => new(bytes.ToArray(), [], false);

    public static RlpItem List(IEnumerable<RlpItem> items) => new([], [.. items], true);

    public bool IsList { get; }

    /// <summary>The byte string (empty for a list).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The list's items (empty for a byte string).</summary>
    public IReadOnlyList<RlpItem> Items { get; }

    /// <summary>The canonical encoding of this item.</summary>
    public byte[] Encode() =>
        IsList ? Rlp.EncodeList([.. Items.Select(i => i.Encode())]) : Rlp.EncodeBytes(_bytes);

    public override string ToString() =>
        IsList ? $"[{string.Join(", ", Items.Select(i => i.ToString()))}]" : "0x" + Convert.ToHexStringLower(_bytes);
}
