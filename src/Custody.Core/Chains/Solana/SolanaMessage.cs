using Custody.Core.Wire;

namespace Custody.Core.Chains.Solana;

/// <summary>
/// A Solana transaction message, legacy or v0: header, static account keys, recent
/// blockhash, compiled instructions and (v0) address table lookups. These are the bytes
/// every signer signs. Parsing applies the runtime's sanitize rules, so a message that
/// parses here is one a validator would accept in shape.
/// </summary>
public sealed class SolanaMessage
{
    /// <summary>Solana's packet size (PACKET_DATA_SIZE): no transaction, hence no message, is longer.</summary>
    public const int MaxSize = 1232;

    private const int KeySize = 32;
    private const int MaxAccounts = 256; // account indexes are one byte

    private readonly ReadOnlyMemory<byte>[] _staticKeys;

    private SolanaMessage(
        int? version, SolanaMessageHeader header, ReadOnlyMemory<byte>[] staticKeys, ReadOnlyMemory<byte> recentBlockhash,
        IReadOnlyList<SolanaInstruction> instructions, IReadOnlyList<SolanaLookupTable> lookupTables)
    {
        Version = version;
        Header = header;
        _staticKeys = staticKeys;
        StaticKeys = Array.AsReadOnly(staticKeys);
        RecentBlockhash = recentBlockhash;
        Instructions = instructions;
        LookupTables = lookupTables;
        AccountCount = staticKeys.Length + lookupTables.Sum(t => t.WritableIndexes.Length + t.ReadonlyIndexes.Length);
    }

    /// <summary>Null for a legacy message, 0 for v0.</summary>
    public int? Version { get; }

    public SolanaMessageHeader Header { get; }

    public IReadOnlyList<ReadOnlyMemory<byte>> StaticKeys { get; }

    public ReadOnlyMemory<byte> RecentBlockhash { get; }

    public IReadOnlyList<SolanaInstruction> Instructions { get; }

    public IReadOnlyList<SolanaLookupTable> LookupTables { get; }

    /// <summary>Static keys plus every address loaded from lookup tables.</summary>
    public int AccountCount { get; }

    /// <summary>The fee payer: always the first static key.</summary>
    public ReadOnlyMemory<byte> FeePayer => _staticKeys[0];

    /// <summary>The key at an account index, or null when it is loaded from a lookup table (unknown offline).</summary>
    public ReadOnlyMemory<byte>? KeyAt(int index) => index < _staticKeys.Length ? (ReadOnlyMemory<byte>?)_staticKeys[index] : null;

    public bool IsSigner(int index) => index < Header.NumRequiredSignatures;

    public static SolanaMessage Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) throw new InvalidInputException("message", "empty message");
        if (bytes.Length > MaxSize) throw new InvalidInputException("message", $"longer than {MaxSize} bytes");
        var reader = new ByteReader(bytes);
        int? version = null;
        if ((reader.PeekByte("message") & 0x80) != 0)
        {
            var prefix = reader.ReadByte("message.version");
            if (prefix != 0x80) throw new InvalidInputException("message.version", $"message version {prefix & 0x7f} is not supported (only legacy and v0)");
            version = 0;
        }
        var header = new SolanaMessageHeader(
            reader.ReadByte("message.header"), reader.ReadByte("message.header"), reader.ReadByte("message.header"));

        var keyCount = reader.ReadCompactU16("message.accountKeys");
        var keyBytes = reader.ReadBytes("message.accountKeys", keyCount * KeySize); // bounds-checked before any allocation
        var keys = new ReadOnlyMemory<byte>[keyCount];
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < keyCount; i++)
        {
            var key = keyBytes.Slice(i * KeySize, KeySize);
            if (!distinct.Add(Convert.ToHexString(key))) throw new InvalidInputException($"message.accountKeys[{i}]", "account key appears twice");
            keys[i] = key.ToArray();
        }
        var blockhash = reader.ReadBytes("message.recentBlockhash", KeySize).ToArray();

        var instructionCount = reader.ReadCompactU16("message.instructions");
        var instructions = new List<SolanaInstruction>();
        for (var i = 0; i < instructionCount; i++)
        {
            var field = $"message.instructions[{i}]";
            var programIndex = reader.ReadByte(field + ".programIdIndex");
            var accounts = reader.ReadBytes(field + ".accounts", reader.ReadCompactU16(field + ".accounts")).ToArray();
            var data = reader.ReadBytes(field + ".data", reader.ReadCompactU16(field + ".data")).ToArray();
            instructions.Add(new SolanaInstruction(programIndex, accounts, data));
        }

        var tables = new List<SolanaLookupTable>();
        if (version == 0)
        {
            var tableCount = reader.ReadCompactU16("message.addressTableLookups");
            for (var i = 0; i < tableCount; i++)
            {
                var field = $"message.addressTableLookups[{i}]";
                var table = reader.ReadBytes(field + ".accountKey", KeySize).ToArray();
                var writable = reader.ReadBytes(field + ".writableIndexes", reader.ReadCompactU16(field + ".writableIndexes")).ToArray();
                var readOnly = reader.ReadBytes(field + ".readonlyIndexes", reader.ReadCompactU16(field + ".readonlyIndexes")).ToArray();
                if (writable.Length + readOnly.Length == 0) throw new InvalidInputException(field, "a lookup loads no address");
                tables.Add(new SolanaLookupTable(table, writable, readOnly));
            }
        }
        reader.EnsureEnd("message");

        var message = new SolanaMessage(version, header, keys, blockhash, instructions, tables);
        message.Sanitize();
        return message;
    }

    // The checks of solana-program's Message::sanitize and v0::Message::sanitize.
    private void Sanitize()
    {
        var (required, readonlySigned, readonlyUnsigned) = (Header.NumRequiredSignatures, Header.NumReadonlySigned, Header.NumReadonlyUnsigned);
        if (required == 0) throw new InvalidInputException("message.header", "no required signature (a message needs a fee payer)");
        if (readonlySigned >= required) throw new InvalidInputException("message.header", "the fee payer must be writable");
        if (required + readonlyUnsigned > _staticKeys.Length)
            throw new InvalidInputException("message.header", $"header counts {required + readonlyUnsigned} keys but the message has {_staticKeys.Length}");
        if (AccountCount > MaxAccounts) throw new InvalidInputException("message", $"more than {MaxAccounts} accounts");
        for (var i = 0; i < Instructions.Count; i++)
        {
            var instruction = Instructions[i];
            var field = $"message.instructions[{i}]";
            // Program ids must be static keys (never from a lookup table) and never the fee payer.
            if (instruction.ProgramIdIndex == 0 || instruction.ProgramIdIndex >= _staticKeys.Length)
                throw new InvalidInputException(field + ".programIdIndex", $"index {instruction.ProgramIdIndex} is not a static non-payer account");
            foreach (var index in instruction.AccountIndexes.Span)
                if (index >= AccountCount)
                    throw new InvalidInputException(field + ".accounts", $"index {index} is beyond the {AccountCount} accounts");
        }
    }

    /// <summary>The message bytes in wire form (what was parsed; used to check canonical round trips).</summary>
    public byte[] Serialize()
    {
        var bytes = new List<byte>(MaxSize);
        if (Version == 0) bytes.Add(0x80);
        bytes.AddRange([Header.NumRequiredSignatures, Header.NumReadonlySigned, Header.NumReadonlyUnsigned]);
        bytes.AddRange(CompactU16.Encode(_staticKeys.Length));
        foreach (var key in _staticKeys) bytes.AddRange(key.Span);
        bytes.AddRange(RecentBlockhash.Span);
        bytes.AddRange(CompactU16.Encode(Instructions.Count));
        foreach (var instruction in Instructions)
        {
            bytes.Add(instruction.ProgramIdIndex);
            bytes.AddRange(CompactU16.Encode(instruction.AccountIndexes.Length));
            bytes.AddRange(instruction.AccountIndexes.Span);
            bytes.AddRange(CompactU16.Encode(instruction.Data.Length));
            bytes.AddRange(instruction.Data.Span);
        }
        if (Version == 0)
        {
            bytes.AddRange(CompactU16.Encode(LookupTables.Count));
            foreach (var table in LookupTables)
            {
                bytes.AddRange(table.Table.Span);
                bytes.AddRange(CompactU16.Encode(table.WritableIndexes.Length));
                bytes.AddRange(table.WritableIndexes.Span);
                bytes.AddRange(CompactU16.Encode(table.ReadonlyIndexes.Length));
                bytes.AddRange(table.ReadonlyIndexes.Span);
            }
        }
        return [.. bytes];
    }
}
