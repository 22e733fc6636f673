using System.Text;
using Custody.Core.Wire;

namespace Custody.Core.Chains.Tron;

/// <summary>
/// Transaction.raw of java-tron's Tron.proto: the bytes whose SHA-256 is the txID and
/// is signed. Parsing is strict: known fields only, each singular field once, exactly one
/// contract (java-tron executes only one), TaPoS reference of 2 + 8 bytes.
/// </summary>
public sealed record TronRawData(
    ReadOnlyMemory<byte> RefBlockBytes,
    long RefBlockNum,
    ReadOnlyMemory<byte> RefBlockHash,
    long Expiration,
    long Timestamp,
    long FeeLimit,
    ReadOnlyMemory<byte> Memo,
    TronContract Contract)
{
    /// <summary>java-tron's TRANSACTION_MAX_BYTE_SIZE (500 KiB).</summary>
    public const int MaxSize = 500 * 1024;

    public static TronRawData Parse(ReadOnlySpan<byte> raw)
    {
        const string F = "raw_data";
        if (raw.IsEmpty) throw new InvalidInputException(F, "empty raw_data");
        if (raw.Length > MaxSize) throw new InvalidInputException(F, $"longer than {MaxSize} bytes");
        var reader = new ProtoReader(raw);
        var seen = new ProtoFieldSet();
        ReadOnlySpan<byte> refBytes = [], refHash = [], memo = [];
        long refNum = 0, expiration = 0, timestamp = 0, feeLimit = 0;
        TronContract? contract = null;
        while (reader.TryReadTag(F, out var number, out var type))
        {
            switch (number)
            {
                case 1:
                    seen.Once(F + ".ref_block_bytes", number, type, ProtoWireType.LengthDelimited);
                    refBytes = reader.ReadLengthDelimited(F + ".ref_block_bytes");
                    break;
                case 3:
                    seen.Once(F + ".ref_block_num", number, type, ProtoWireType.Varint);
                    refNum = reader.ReadInt64(F + ".ref_block_num");
                    break;
                case 4:
                    seen.Once(F + ".ref_block_hash", number, type, ProtoWireType.LengthDelimited);
                    refHash = reader.ReadLengthDelimited(F + ".ref_block_hash");
                    break;
                case 8:
                    seen.Once(F + ".expiration", number, type, ProtoWireType.Varint);
                    expiration = reader.ReadInt64(F + ".expiration");
                    break;
                case 10:
                    seen.Once(F + ".data", number, type, ProtoWireType.LengthDelimited);
                    memo = reader.ReadLengthDelimited(F + ".data");
                    break;
                case 11:
                    // repeated in the proto, but java-tron accepts exactly one contract per transaction
                    if (contract is not null) throw new InvalidInputException(F + ".contract", "more than one contract");
                    if (type != ProtoWireType.LengthDelimited) throw new InvalidInputException(F + ".contract", "not a message");
                    contract = ParseContract(reader.ReadLengthDelimited(F + ".contract"));
                    break;
                case 14:
                    seen.Once(F + ".timestamp", number, type, ProtoWireType.Varint);
                    timestamp = reader.ReadInt64(F + ".timestamp");
                    break;
                case 18:
                    seen.Once(F + ".fee_limit", number, type, ProtoWireType.Varint);
                    feeLimit = reader.ReadInt64(F + ".fee_limit");
                    break;
                case 9 or 12:
                    throw new InvalidInputException(F, $"field {number} ({(number == 9 ? "auths" : "scripts")}) is not supported");
                default:
                    throw new InvalidInputException(F, $"unknown field {number}");
            }
        }
        if (refBytes.Length != 2) throw new InvalidInputException(F + ".ref_block_bytes", $"must be 2 bytes, found {refBytes.Length}");
        if (refHash.Length != 8) throw new InvalidInputException(F + ".ref_block_hash", $"must be 8 bytes, found {refHash.Length}");
        if (expiration <= 0) throw new InvalidInputException(F + ".expiration", "missing or not positive");
        if (feeLimit < 0) throw new InvalidInputException(F + ".fee_limit", "negative");
        if (contract is null) throw new InvalidInputException(F + ".contract", "missing");
        return new TronRawData(refBytes.ToArray(), refNum, refHash.ToArray(), expiration, timestamp, feeLimit, memo.ToArray(), contract);
    }

    private static TronContract ParseContract(ReadOnlySpan<byte> bytes)
    {
        const string F = "raw_data.contract";
        var reader = new ProtoReader(bytes);
        var seen = new ProtoFieldSet();
        long type = 0, permission = 0;
        string typeUrl = "";
        ReadOnlySpan<byte> parameter = [];
        while (reader.TryReadTag(F, out var number, out var wire))
        {
            switch (number)
            {
                case 1:
                    seen.Once(F + ".type", number, wire, ProtoWireType.Varint);
                    type = reader.ReadInt64(F + ".type");
                    break;
                case 2:
                    seen.Once(F + ".parameter", number, wire, ProtoWireType.LengthDelimited);
                    typeUrl = ParseAny(reader.ReadLengthDelimited(F + ".parameter"), out parameter);
                    break;
                case 5:
                    seen.Once(F + ".Permission_id", number, wire, ProtoWireType.Varint);
                    permission = reader.ReadInt64(F + ".Permission_id");
                    break;
                default:
                    throw new InvalidInputException(F, $"field {number} is not supported");
            }
        }
        if (type is < 0 or > int.MaxValue) throw new InvalidInputException(F + ".type", "out of range");
        if (permission is < 0 or > int.MaxValue) throw new InvalidInputException(F + ".Permission_id", "out of range");
        if (!seen.Has(2)) throw new InvalidInputException(F + ".parameter", "missing");
        var contractType = (TronContractType)(int)type;
        // java-tron unpacks the parameter as the class the type names; a type_url naming another is refused there.
        var expectedUrl = Enum.IsDefined(contractType) ? TronContract.TypeUrlPrefix + contractType : null;
        if (expectedUrl is not null ? typeUrl != expectedUrl : !typeUrl.StartsWith(TronContract.TypeUrlPrefix, StringComparison.Ordinal))
            throw new InvalidInputException(F + ".parameter.type_url", $"'{Clip(typeUrl)}' does not match contract type {(int)type}");
        return new TronContract(contractType, typeUrl, parameter.ToArray(), (int)permission);
    }

    private static string ParseAny(ReadOnlySpan<byte> bytes, out ReadOnlySpan<byte> value)
    {
        const string F = "raw_data.contract.parameter";
        var reader = new ProtoReader(bytes);
        var seen = new ProtoFieldSet();
        var typeUrl = "";
        value = [];
        while (reader.TryReadTag(F, out var number, out var wire))
        {
            switch (number)
            {
                case 1:
                    seen.Once(F + ".type_url", number, wire, ProtoWireType.LengthDelimited);
                    var urlBytes = reader.ReadLengthDelimited(F + ".type_url");
                    if (urlBytes.Length > 256) throw new InvalidInputException(F + ".type_url", "longer than 256 bytes");
                    typeUrl = Encoding.ASCII.GetString(urlBytes);
                    break;
                case 2:
                    seen.Once(F + ".value", number, wire, ProtoWireType.LengthDelimited);
                    value = reader.ReadLengthDelimited(F + ".value");
                    break;
                default:
                    throw new InvalidInputException(F, $"unknown field {number}");
            }
        }
        return typeUrl;
    }

    private static string Clip(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
