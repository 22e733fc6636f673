using System.Numerics;
using System.Text.Json;
using Custody.Core.Chains;
using Custody.Core.Chains.Evm;
using Custody.Core.Hd;
using static Custody.Core.Tests.Chains.Evm.EvmTestData;

namespace Custody.Core.Tests.Chains.Evm;

/// <summary>
/// Trezor's Ethereum sign-tx fixtures: keys derived by BIP32 from the "all …" mnemonic, the
/// transaction built from the fixture's fields and signed through EvmCodec; v, r and s match.
/// </summary>
public class TrezorEthereumSignTxTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        var file = VectorFile.Json("trezor-ethereum-sign-tx.json");
        foreach (var kind in new[] { "eip155", "eip1559" })
            for (var i = 0; i < file.GetProperty(kind).GetArrayLength(); i++) data.Add(kind, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Signatures_match_trezor(string kind, int index)
    {
        var v = VectorFile.Json("trezor-ethereum-sign-tx.json").GetProperty(kind)[index];
        var chainId = ulong.Parse(v.GetProperty("chain_id").GetString()!);
        var tx = new EvmTransaction
        {
            Type = kind == "eip155" ? EvmTransactionType.Legacy : EvmTransactionType.DynamicFee,
            ChainId = chainId,
            Nonce = (ulong)Number(v.GetProperty("nonce")),
            GasPrice = kind == "eip155" ? Number(v.GetProperty("gas_price")) : 0,
            MaxFeePerGas = kind == "eip1559" ? Number(v.GetProperty("max_fee_per_gas")) : 0,
            MaxPriorityFeePerGas = kind == "eip1559" ? Number(v.GetProperty("max_priority_fee_per_gas")) : 0,
            GasLimit = (ulong)Number(v.GetProperty("gas_limit")),
            To = Hex(v.GetProperty("to").GetString()!),
            Value = Number(v.GetProperty("value")),
            Data = Hex(v.GetProperty("data").GetString()!),
        };
        using var keys = TrezorAllMnemonic.KeyRing(KeyCurve.Secp256k1);
        var codec = EvmFamily.ForChainId(chainId).Codec();
        var signed = codec.Sign(tx.EncodeUnsigned(), keys, KeyPath.Parse(v.GetProperty("path").GetString()!));

        var (decoded, signature) = EvmTransaction.DecodeSigned(Hex(signed.Payload));
        Assert.Equal(chainId, decoded.ChainId);
        var expectedV = BigInteger.Parse(v.GetProperty("sig_v").GetString()!);
        Assert.Equal(expectedV, kind == "eip155" ? new BigInteger(chainId) * 2 + 35 + signature.YParity : signature.YParity);
        Assert.Equal(Number(JsonDocument.Parse($"\"0x{v.GetProperty("sig_r").GetString()}\"").RootElement), signature.R);
        Assert.Equal(Number(JsonDocument.Parse($"\"0x{v.GetProperty("sig_s").GetString()}\"").RootElement), signature.S);
    }
}
