using System.Buffers.Binary;
using System.Numerics;

namespace Custody.Core.Chains.Evm;

/// <summary>
/// A decoded ERC-20 call (the same ABI serves TRC-20 on TRON). Addresses are the raw
/// 20 bytes; each chain prints them its own way.
/// </summary>
/// <param name="From">The token holder of transferFrom; empty otherwise.</param>
/// <param name="To">The recipient (transfer, transferFrom) or the spender (approve).</param>
public sealed record Erc20Call(Erc20Method Method, ReadOnlyMemory<byte> From, ReadOnlyMemory<byte> To, BigInteger Amount)
{
    private const uint TransferSelector = 0xa9059cbb;
    private const uint TransferFromSelector = 0x23b872dd;
    private const uint ApproveSelector = 0x095ea7b3;
    private const int Word = 32;

    /// <summary>The 4-byte selector as 0x-hex, or the hex of fewer bytes when the calldata is shorter.</summary>
    public static string Selector(ReadOnlySpan<byte> calldata) =>
        "0x" + Convert.ToHexStringLower(calldata[..Math.Min(4, calldata.Length)]);

    /// <summary>
    /// Decodes calldata whose selector is one of the three ERC-20 calls; null for any other
    /// selector. A known selector with any other layout (wrong length, an address word with
    /// non-zero high bytes) is refused rather than passed on as an opaque call: a token would
    /// execute it as the transfer it names, and extra bytes would hide from the decoded view.
    /// </summary>
    public static Erc20Call? Decode(ReadOnlySpan<byte> calldata, string field)
    {
        if (calldata.Length < 4) return null;
        var (method, words) = BinaryPrimitives.ReadUInt32BigEndian(calldata) switch
        {
            TransferSelector => (Erc20Method.Transfer, 2),
            TransferFromSelector => (Erc20Method.TransferFrom, 3),
            ApproveSelector => (Erc20Method.Approve, 2),
            _ => ((Erc20Method?)null, 0),
        };
        if (method is not { } m) return null;
        var args = calldata[4..];
        if (args.Length != words * Word)
            throw new InvalidInputException(field, $"ERC-20 {m} calldata must carry {words} words ({4 + words * Word} bytes), found {calldata.Length} bytes");
        var amount = new BigInteger(args[^Word..], isUnsigned: true, isBigEndian: true);
        return m == Erc20Method.TransferFrom
            ? new Erc20Call(m, Address(args[..Word], field + ".from"), Address(args[Word..(2 * Word)], field + ".to"), amount)
            : new Erc20Call(m, ReadOnlyMemory<byte>.Empty, Address(args[..Word], field + (m == Erc20Method.Approve ? ".spender" : ".to")), amount);
    }

    private static byte[] Address(ReadOnlySpan<byte> word, string field)
    {
        if (word[..12].ContainsAnyExcept((byte)0))
            throw new InvalidInputException(field, "ABI address word has non-zero high bytes");
        return word[12..].ToArray();
    }
}
