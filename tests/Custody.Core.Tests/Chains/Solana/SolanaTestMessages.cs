using Custody.Core.Chains.Solana;
using Custody.Core.Wire;

namespace Custody.Core.Tests.Chains.Solana;

/// <summary>Builds messages byte by byte from the wire layout, for cases no published vector covers.</summary>
internal static class SolanaTestMessages
{
    public static byte[] Key(byte fill) => Enumerable.Repeat(fill, 32).ToArray();

    public static byte[] Program(string address) => SolanaAddress.Parse(address);

    public static byte[] Message(
        (byte Required, byte ReadonlySigned, byte ReadonlyUnsigned) header,
        byte[][] keys,
        (byte Program, byte[] Accounts, byte[] Data)[] instructions,
        (byte[] Table, byte[] Writable, byte[] Readonly)[]? lookups = null,
        byte[]? blockhash = null)
    {
        var bytes = new List<byte>();
        if (lookups is not null) bytes.Add(0x80);
        bytes.AddRange([header.Required, header.ReadonlySigned, header.ReadonlyUnsigned]);
        bytes.AddRange(CompactU16.Encode(keys.Length));
        foreach (var key in keys) bytes.AddRange(key);
        bytes.AddRange(blockhash ?? Key(0xbb));
        bytes.AddRange(CompactU16.Encode(instructions.Length));
        foreach (var (program, accounts, data) in instructions)
        {
            bytes.Add(program);
            bytes.AddRange(CompactU16.Encode(accounts.Length));
            bytes.AddRange(accounts);
            bytes.AddRange(CompactU16.Encode(data.Length));
            bytes.AddRange(data);
        }
        if (lookups is not null)
        {
            bytes.AddRange(CompactU16.Encode(lookups.Length));
            foreach (var (table, writable, readOnly) in lookups)
            {
                bytes.AddRange(table);
                bytes.AddRange(CompactU16.Encode(writable.Length));
                bytes.AddRange(writable);
                bytes.AddRange(CompactU16.Encode(readOnly.Length));
                bytes.AddRange(readOnly);
            }
        }
        return [.. bytes];
    }

    public static byte[] SystemTransfer(ulong lamports) => [2, 0, 0, 0, .. BitConverter.GetBytes(lamports)];

    public static byte[] TokenTransferChecked(ulong amount, byte decimals) => [12, .. BitConverter.GetBytes(amount), decimals];
}
