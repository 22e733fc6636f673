namespace Custody.Core.Chains.Bitcoin.Transactions;

/// <summary>
/// The output a transaction input spends: the previous transaction's hash (in
/// internal byte order, as on the wire) and the output index. Printed as
/// "txid:vout" with the txid in the usual reversed display order.
/// </summary>
public readonly struct OutPoint : IEquatable<OutPoint>
{
    private readonly byte[]? _hash;

    public OutPoint(ReadOnlySpan<byte> hash32, uint index)
    {
        if (hash32.Length != 32) throw new ArgumentException("a transaction hash is 32 bytes", nameof(hash32));
        _hash = hash32.ToArray();
        Index = index;
    }

    /// <summary>The previous txid in internal (wire) byte order.</summary>
    public ReadOnlySpan<byte> Hash => _hash;

    public uint Index { get; }

    /// <summary>The previous txid in display order (reversed hex), as explorers and RPCs print it.</summary>
    public string TxId => DisplayHex(_hash);

    internal static string DisplayHex(ReadOnlySpan<byte> internalOrder)
    {
        Span<byte> reversed = stackalloc byte[internalOrder.Length];
        internalOrder.CopyTo(reversed);
        reversed.Reverse();
        return Convert.ToHexStringLower(reversed);
    }

    public bool Equals(OutPoint other) => Index == other.Index && Hash.SequenceEqual(other.Hash);

    public override bool Equals(object? obj) => obj is OutPoint other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Hash);
        hash.Add(Index);
        return hash.ToHashCode();
    }

    public static bool operator ==(OutPoint left, OutPoint right) => left.Equals(right);

    public static bool operator !=(OutPoint left, OutPoint right) => !left.Equals(right);

    public override string ToString() => $"{TxId}:{Index}";
}
