using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using Custody.Core.Wire;

namespace Custody.Core.Chains.Solana;

/// <summary>
/// Turns a parsed message into an intent, instruction by instruction: System transfers
/// (plain, with seed, account creation), SPL Token and Token-2022 transfers and approvals,
/// compute-budget settings (which decide the fee); anything else is a contract call.
/// Decoded instructions must have exactly their layout: the programs ignore trailing data,
/// so extra bytes would hide from this view.
/// </summary>
internal sealed class SolanaIntentBuilder
{
    /// <summary>Lamports per signature, the cluster's fee rate since launch (not in the message).</summary>
    public const ulong LamportsPerSignature = 5000;

    private const uint DefaultComputeUnitsPerInstruction = 200_000;
    private const uint MaxComputeUnits = 1_400_000;
    private const ulong MicroLamportsPerLamport = 1_000_000;
    private const int MaxSeedLength = 32;

    private readonly SolanaMessage _message;
    private readonly List<string> _sources = [];
    private readonly List<IntentOutput> _outputs = [];
    private readonly List<string> _notes = [];
    private readonly List<string> _replayKeys = [];
    private ContractCall? _call;
    private uint? _unitLimit;
    private ulong? _unitPrice;
    private int _nonBudgetInstructions;

    private SolanaIntentBuilder(SolanaMessage message) => _message = message;

    public static TransactionIntent Build(Chain chain, SolanaMessage message)
    {
        var builder = new SolanaIntentBuilder(message);
        builder.AddSource(0);
        for (var i = 0; i < message.Instructions.Count; i++) builder.Add(message.Instructions[i], $"message.instructions[{i}]");
        // Only a durable nonce makes two different transactions exclusive (see AdvanceNonceAccount):
        // different messages under one recent blockhash are independent transactions, each valid.
        return new TransactionIntent(chain, builder._sources, builder._outputs, builder.MaxFee(), builder._call, builder._replayKeys, builder._notes.Distinct().ToList());
    }

    // Base fee per signature plus the priority fee: unit price × unit limit, rounded up. Without an
    // explicit limit the runtime allows 200k units per instruction (capped at 1.4M); we charge that much.
    private BigInteger MaxFee()
    {
        var limit = Math.Min(_unitLimit ?? (uint)Math.Min((ulong)_nonBudgetInstructions * DefaultComputeUnitsPerInstruction, MaxComputeUnits), MaxComputeUnits);
        var priority = ((BigInteger)(_unitPrice ?? 0) * limit + MicroLamportsPerLamport - 1) / MicroLamportsPerLamport;
        return LamportsPerSignature * (BigInteger)_message.Header.NumRequiredSignatures + priority;
    }

    private void Add(SolanaInstruction instruction, string field)
    {
        var program = SolanaAddress.ToText(_message.StaticKeys[instruction.ProgramIdIndex].Span);
        if (program == SolanaPrograms.ComputeBudgetProgram)
        {
            AddComputeBudget(instruction.Data.Span, field);
            return;
        }
        _nonBudgetInstructions++;
        switch (program)
        {
            case SolanaPrograms.SystemProgram: AddSystem(program, instruction, field); break;
            case SolanaPrograms.TokenProgram: AddToken(program, instruction, field); break;
            case SolanaPrograms.Token2022Program:
                _notes.Add("spl-token-2022"); // extensions (transfer fees, hooks) may act beyond what is decoded
                AddToken(program, instruction, field);
                break;
            default: AddCall(program, instruction.Data.IsEmpty ? "" : instruction.Data.Span[0].ToString(CultureInfo.InvariantCulture), 0); break;
        }
    }

    private void AddSystem(string program, SolanaInstruction instruction, string field)
    {
        var data = new ByteReader(instruction.Data.Span);
        var tag = data.ReadUInt32(field + ".data");
        switch (tag)
        {
            case 0: // CreateAccount { lamports, space, owner }: lamports leave the payer for the new account
                var created = data.ReadUInt64(field + ".data");
                data.ReadUInt64(field + ".data");
                data.ReadBytes(field + ".data", 32);
                data.EnsureEnd(field + ".data");
                RequireAccounts(instruction, 2, field);
                AddTransfer(instruction, 0, 1, IntentOutput.NativeAsset, created);
                _notes.Add("solana:create-account");
                break;
            case 2: // Transfer { lamports }, accounts [from, to]
                var lamports = data.ReadUInt64(field + ".data");
                data.EnsureEnd(field + ".data");
                RequireAccounts(instruction, 2, field);
                AddTransfer(instruction, 0, 1, IntentOutput.NativeAsset, lamports);
                break;
            case 4: // AdvanceNonceAccount, accounts [nonce, recent-blockhashes sysvar, authority]
                data.EnsureEnd(field + ".data");
                RequireAccounts(instruction, 3, field);
                // A durable-nonce transaction does not expire with its blockhash (which is the stored
                // nonce); two transactions advancing the same nonce from the same value conflict.
                _notes.Add("solana:durable-nonce");
                var nonceAccount = AccountText(instruction.AccountIndexes.Span[0]);
                if (nonceAccount is null) _notes.Add("unresolved-lookup-table");
                else _replayKeys.Add($"{nonceAccount}/{SolanaAddress.ToText(_message.RecentBlockhash.Span)}");
                AddSource(instruction.AccountIndexes.Span[2]);
                break;
            case 11: // TransferWithSeed { lamports, seed, from_owner }, accounts [from, base, to]
                var amount = data.ReadUInt64(field + ".data");
                var seedLength = data.ReadUInt64(field + ".data");
                if (seedLength > MaxSeedLength) throw new InvalidInputException(field + ".data", $"seed longer than {MaxSeedLength} bytes");
                data.ReadBytes(field + ".data", (int)seedLength);
                data.ReadBytes(field + ".data", 32);
                data.EnsureEnd(field + ".data");
                RequireAccounts(instruction, 3, field);
                AddSource(instruction.AccountIndexes.Span[1]); // the base key signs for the derived account
                AddTransfer(instruction, 0, 2, IntentOutput.NativeAsset, amount);
                break;
            default:
                AddCall(program, tag.ToString(CultureInfo.InvariantCulture), 0);
                break;
        }
    }

    private void AddToken(string program, SolanaInstruction instruction, string field)
    {
        var data = instruction.Data.Span;
        if (data.IsEmpty) throw new InvalidInputException(field + ".data", "empty token instruction");
        switch (data[0])
        {
            case 3: // Transfer { amount }, accounts [source, destination, authority, signers…]
                RequireData(data, 9, field);
                RequireAccounts(instruction, 3, field);
                AddSource(instruction.AccountIndexes.Span[2]);
                AddTransfer(instruction, 0, 1, UnknownMint, BinaryPrimitives.ReadUInt64LittleEndian(data[1..]));
                _notes.Add("spl-token:transfer-without-mint"); // the mint is in the source account, on chain
                break;
            case 12: // TransferChecked { amount, decimals }, accounts [source, mint, destination, authority, …]
                RequireData(data, 10, field);
                RequireAccounts(instruction, 4, field);
                AddSource(instruction.AccountIndexes.Span[3]);
                AddTransfer(instruction, 0, 2, AccountText(instruction.AccountIndexes.Span[1]) ?? UnknownMint, BinaryPrimitives.ReadUInt64LittleEndian(data[1..]));
                break;
            case 4: // Approve { amount }, accounts [source, delegate, owner, …]
                RequireData(data, 9, field);
                RequireAccounts(instruction, 3, field);
                AddSource(instruction.AccountIndexes.Span[2]);
                AddTransfer(instruction, 0, 1, UnknownMint, BinaryPrimitives.ReadUInt64LittleEndian(data[1..]));
                _notes.Add("spl-token:approve");
                break;
            case 13: // ApproveChecked { amount, decimals }, accounts [source, mint, delegate, owner, …]
                RequireData(data, 10, field);
                RequireAccounts(instruction, 4, field);
                AddSource(instruction.AccountIndexes.Span[3]);
                AddTransfer(instruction, 0, 2, AccountText(instruction.AccountIndexes.Span[1]) ?? UnknownMint, BinaryPrimitives.ReadUInt64LittleEndian(data[1..]));
                _notes.Add("spl-token:approve");
                break;
            default:
                AddCall(program, data[0].ToString(CultureInfo.InvariantCulture), 0);
                break;
        }
    }

    /// <summary>Asset of a token transfer whose mint is not in the message.</summary>
    public const string UnknownMint = "unknown-mint";

    private void AddComputeBudget(ReadOnlySpan<byte> data, string field)
    {
        if (data.IsEmpty) throw new InvalidInputException(field + ".data", "empty compute-budget instruction");
        switch (data[0])
        {
            case 1 or 4: // RequestHeapFrame, SetLoadedAccountsDataSizeLimit: no effect on value or fee
                RequireData(data, 5, field);
                break;
            case 2:
                RequireData(data, 5, field);
                if (_unitLimit is not null) throw new InvalidInputException(field, "SetComputeUnitLimit appears twice (the runtime refuses duplicates)");
                _unitLimit = BinaryPrimitives.ReadUInt32LittleEndian(data[1..]);
                break;
            case 3:
                RequireData(data, 9, field);
                if (_unitPrice is not null) throw new InvalidInputException(field, "SetComputeUnitPrice appears twice");
                _unitPrice = BinaryPrimitives.ReadUInt64LittleEndian(data[1..]);
                break;
            default:
                throw new InvalidInputException(field + ".data", $"compute-budget instruction {data[0]} is not known");
        }
    }

    private void AddTransfer(SolanaInstruction instruction, int fromPosition, int toPosition, string asset, ulong amount)
    {
        var accounts = instruction.AccountIndexes.Span;
        AddSource(accounts[fromPosition]);
        var destination = AccountText(accounts[toPosition]);
        if (destination is null) _notes.Add("unresolved-lookup-table");
        _outputs.Add(new IntentOutput(destination, asset, amount, IsChange: false));
    }

    private void AddSource(int index)
    {
        var text = AccountText(index);
        if (text is null) _notes.Add("unresolved-lookup-table");
        else if (!_sources.Contains(text)) _sources.Add(text);
    }

    private void AddCall(string program, string tag, BigInteger value)
    {
        if (_call is null) _call = new ContractCall(program, tag, value);
        else _notes.Add($"call:{program}:{tag}"); // the intent has one call slot; further calls are named here
    }

    private string? AccountText(int index) => _message.KeyAt(index) is { } key ? SolanaAddress.ToText(key.Span) : null;

    private static void RequireData(ReadOnlySpan<byte> data, int length, string field)
    {
        if (data.Length != length) throw new InvalidInputException(field + ".data", $"instruction data must be {length} bytes, found {data.Length}");
    }

    private static void RequireAccounts(SolanaInstruction instruction, int count, string field)
    {
        if (instruction.AccountIndexes.Length < count)
            throw new InvalidInputException(field + ".accounts", $"needs {count} accounts, has {instruction.AccountIndexes.Length}");
    }
}
