using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Custody.Core.Chains.Evm;
using Custody.Core.Wire;

namespace Custody.Core.Tests.Chains.Evm;

internal static class EvmTestData
{
    public static byte[] Hex(string hex) => HexText.Parse(hex, "test", 1 << 20);

    public static string ToHex(ReadOnlySpan<byte> bytes) => HexText.Prefixed(bytes);

    /// <summary>A JSON number, decimal string or 0x-hex string.</summary>
    public static BigInteger Number(JsonElement e) => e.ValueKind == JsonValueKind.Number
        ? BigInteger.Parse(e.GetRawText(), CultureInfo.InvariantCulture)
        : e.GetString()!.StartsWith("0x", StringComparison.Ordinal)
            ? BigInteger.Parse("0" + e.GetString()![2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : BigInteger.Parse(e.GetString()!, CultureInfo.InvariantCulture);

    /// <summary>The ethers.js test transaction as one of the four encodings.</summary>
    public static EvmTransaction EthersTransaction(JsonElement t, string kind)
    {
        var type = kind switch
        {
            "Berlin" => EvmTransactionType.AccessList,
            "London" => EvmTransactionType.DynamicFee,
            _ => EvmTransactionType.Legacy,
        };
        return new EvmTransaction
        {
            Type = type,
            ChainId = kind == "Legacy" ? null : (ulong)Number(t.GetProperty("chainId")),
            Nonce = (ulong)Number(t.GetProperty("nonce")),
            GasPrice = type == EvmTransactionType.DynamicFee ? 0 : Number(t.GetProperty("gasPrice")),
            MaxFeePerGas = type == EvmTransactionType.DynamicFee ? Number(t.GetProperty("maxFeePerGas")) : 0,
            MaxPriorityFeePerGas = type == EvmTransactionType.DynamicFee ? Number(t.GetProperty("maxPriorityFeePerGas")) : 0,
            GasLimit = (ulong)Number(t.GetProperty("gasLimit")),
            To = Hex(t.GetProperty("to").GetString()!),
            Value = Number(t.GetProperty("value")),
            Data = Hex(t.GetProperty("data").GetString()!),
            AccessList = type == EvmTransactionType.Legacy ? [] :
            [
                .. t.GetProperty("accessList").EnumerateArray().Select(e => new EvmAccessListEntry(
                    Hex(e.GetProperty("address").GetString()!),
                    [.. e.GetProperty("storageKeys").EnumerateArray().Select(k => (ReadOnlyMemory<byte>)Hex(k.GetString()!))])),
            ],
        };
    }
}
