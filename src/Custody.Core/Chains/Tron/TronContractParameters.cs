using Custody.Core.Wire;

namespace Custody.Core.Chains.Tron;

/// <summary>protocol.TransferContract: TRX from owner to recipient, in sun.</summary>
public sealed record TronTransfer(ReadOnlyMemory<byte> Owner, ReadOnlyMemory<byte> To, long Amount);

/// <summary>protocol.TransferAssetContract: a TRC-10 token (by asset id) from owner to recipient.</summary>
public sealed record TronAssetTransfer(string AssetId, ReadOnlyMemory<byte> Owner, ReadOnlyMemory<byte> To, long Amount);

/// <summary>protocol.TriggerSmartContract: a call into a TVM contract with optional TRX and TRC-10 value.</summary>
public sealed record TronTriggerSmartContract(
    ReadOnlyMemory<byte> Owner, ReadOnlyMemory<byte> Contract, long CallValue, ReadOnlyMemory<byte> Data, long CallTokenValue, long TokenId);

/// <summary>
/// Parses the parameter messages of the contracts Custody turns into transfers. Same
/// strictness as <see cref="TronRawData"/>: known fields once each, addresses 21 bytes
/// starting with 0x41, amounts positive where java-tron requires it.
/// </summary>
public static class TronContractParameters
{
    private const string F = "raw_data.contract.parameter.value";

    public static TronTransfer ParseTransfer(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        var seen = new ProtoFieldSet();
        ReadOnlySpan<byte> owner = [], to = [];
        long amount = 0;
        while (reader.TryReadTag(F, out var number, out var wire))
        {
            switch (number)
            {
                case 1: owner = Bytes(ref reader, ref seen, number, wire, "owner_address"); break;
                case 2: to = Bytes(ref reader, ref seen, number, wire, "to_address"); break;
                case 3: amount = Int64(ref reader, ref seen, number, wire, "amount"); break;
                default: throw new InvalidInputException(F, $"unknown TransferContract field {number}");
            }
        }
        return new TronTransfer(Address(owner, "owner_address"), Address(to, "to_address"), Positive(amount, "amount"));
    }

    public static TronAssetTransfer ParseAssetTransfer(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        var seen = new ProtoFieldSet();
        ReadOnlySpan<byte> asset = [], owner = [], to = [];
        long amount = 0;
        while (reader.TryReadTag(F, out var number, out var wire))
        {
            switch (number)
            {
                case 1: asset = Bytes(ref reader, ref seen, number, wire, "asset_name"); break;
                case 2: owner = Bytes(ref reader, ref seen, number, wire, "owner_address"); break;
                case 3: to = Bytes(ref reader, ref seen, number, wire, "to_address"); break;
                case 4: amount = Int64(ref reader, ref seen, number, wire, "amount"); break;
                default: throw new InvalidInputException(F, $"unknown TransferAssetContract field {number}");
            }
        }
        // Since java-tron 3.2 a TRC-10 token is named by its numeric id, written as ASCII digits.
        if (asset.IsEmpty || asset.Length > 19 || asset.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
            throw new InvalidInputException(F + ".asset_name", "must be a TRC-10 token id (ASCII digits)");
        return new TronAssetTransfer(System.Text.Encoding.ASCII.GetString(asset), Address(owner, "owner_address"), Address(to, "to_address"), Positive(amount, "amount"));
    }

    public static TronTriggerSmartContract ParseTrigger(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        var seen = new ProtoFieldSet();
        ReadOnlySpan<byte> owner = [], contract = [], data = [];
        long callValue = 0, tokenValue = 0, tokenId = 0;
        while (reader.TryReadTag(F, out var number, out var wire))
        {
            switch (number)
            {
                case 1: owner = Bytes(ref reader, ref seen, number, wire, "owner_address"); break;
                case 2: contract = Bytes(ref reader, ref seen, number, wire, "contract_address"); break;
                case 3: callValue = Int64(ref reader, ref seen, number, wire, "call_value"); break;
                case 4: data = Bytes(ref reader, ref seen, number, wire, "data"); break;
                case 5: tokenValue = Int64(ref reader, ref seen, number, wire, "call_token_value"); break;
                case 6: tokenId = Int64(ref reader, ref seen, number, wire, "token_id"); break;
                default: throw new InvalidInputException(F, $"unknown TriggerSmartContract field {number}");
            }
        }
        if (callValue < 0) throw new InvalidInputException(F + ".call_value", "negative");
        if (tokenValue < 0 || tokenId < 0) throw new InvalidInputException(F + ".call_token_value", "negative");
        return new TronTriggerSmartContract(Address(owner, "owner_address"), Address(contract, "contract_address"), callValue, data.ToArray(), tokenValue, tokenId);
    }

    // Contract types whose parameter carries owner_address as field 1 (java-tron core/contract/*.proto).
    private static readonly HashSet<TronContractType> OwnerFirst =
    [
        TronContractType.VoteWitnessContract, TronContractType.FreezeBalanceContract, TronContractType.UnfreezeBalanceContract,
        TronContractType.WithdrawBalanceContract, TronContractType.CreateSmartContract, TronContractType.AccountPermissionUpdateContract,
        TronContractType.FreezeBalanceV2Contract, TronContractType.UnfreezeBalanceV2Contract, TronContractType.WithdrawExpireUnfreezeContract,
        TronContractType.DelegateResourceContract, TronContractType.UnDelegateResourceContract, TronContractType.CancelAllUnfreezeV2Contract,
    ];

    /// <summary>
    /// The owner_address of a contract Custody does not decode further, for the types known to
    /// carry it as field 1; null for other types. The other fields are only walked, not judged.
    /// </summary>
    public static byte[]? OwnerOf(TronContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        if (!OwnerFirst.Contains(contract.Type)) return null;
        var reader = new ProtoReader(contract.Parameter.Span);
        var seen = new ProtoFieldSet();
        ReadOnlySpan<byte> owner = [];
        while (reader.TryReadTag(F, out var number, out var wire))
        {
            if (number == 1) owner = Bytes(ref reader, ref seen, number, wire, "owner_address");
            else reader.Skip(F, wire);
        }
        return Address(owner, "owner_address");
    }

    private static ReadOnlySpan<byte> Bytes(scoped ref ProtoReader reader, scoped ref ProtoFieldSet seen, int number, ProtoWireType wire, string name)
    {
        seen.Once($"{F}.{name}", number, wire, ProtoWireType.LengthDelimited);
        return reader.ReadLengthDelimited($"{F}.{name}");
    }

    private static long Int64(ref ProtoReader reader, ref ProtoFieldSet seen, int number, ProtoWireType wire, string name)
    {
        seen.Once($"{F}.{name}", number, wire, ProtoWireType.Varint);
        return reader.ReadInt64($"{F}.{name}");
    }

    private static byte[] Address(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length != 21 || bytes[0] != TronAddress.Prefix)
            throw new InvalidInputException($"{F}.{name}", "a TRON address is 21 bytes starting with 0x41");
        return bytes.ToArray();
    }

    private static long Positive(long amount, string name) =>
        amount > 0 ? amount : throw new InvalidInputException($"{F}.{name}", "must be positive");
}
