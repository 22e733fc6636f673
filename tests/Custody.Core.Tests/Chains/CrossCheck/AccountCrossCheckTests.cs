using System.Numerics;
using System.Text.Json;
using Custody.Core.Chains;
using Custody.Core.Chains.Evm;
using Custody.Core.Chains.Solana;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Tests.TestKit;
using Custody.Core.Wire;

namespace Custody.Core.Tests.Chains.CrossCheck;

/// <summary>
/// Transactions and typed data made by independent implementations (ethers v6,
/// @solana/web3.js v1, tests/crosscheck/account) are decoded to the intent their makers
/// meant, and signing the same input with the same key gives exactly the bytes they produced.
/// Skipped when node or the folder's node_modules is missing.
/// </summary>
public class AccountCrossCheckTests
{
    // One run of the generator serves the three tests.
    private static readonly Lazy<JsonElement> Generated = new(() =>
    {
        using var doc = JsonDocument.Parse(Node.Run("tests/crosscheck/account", "crosscheck.mjs", """{"seed": 20261124}"""));
        return doc.RootElement.Clone();
    });

    private static JsonElement Cases => Generated.Value;

    [NodeFact("tests/crosscheck/account", "ethers")]
    public void Ethers_transactions_decode_and_sign_identically()
    {
        var count = 0;
        foreach (var c in Cases.GetProperty("evm").EnumerateArray())
        {
            var chainId = ulong.Parse(c.GetProperty("chainId").GetString()!);
            var codec = EvmFamily.ForChainId(chainId).Codec();
            var payload = codec.ParsePayload(c.GetProperty("unsigned").GetString()!);
            Assert.Equal(c.GetProperty("signingHash").GetString(), HexText.Prefixed(EvmTransaction.DecodeUnsigned(payload).SigningHash()));

            var intent = codec.Decode(payload);
            Assert.Equal(BigInteger.Parse(c.GetProperty("fee").GetString()!), intent.Fee);
            Assert.Equal($"{chainId}/{c.GetProperty("nonce").GetInt64()}", Assert.Single(intent.ReplayKeys));
            var to = c.GetProperty("to").GetString();
            var value = BigInteger.Parse(c.GetProperty("value").GetString()!);
            switch (c.GetProperty("kind").GetString())
            {
                case "native":
                    Assert.Equal(new IntentOutput(to, IntentOutput.NativeAsset, value, false), Assert.Single(intent.Outputs));
                    break;
                case "create":
                    Assert.Equal(["contract-creation"], intent.Notes);
                    Assert.Equal(Convert.ToHexStringLower(Hashes.Sha256(EvmTransaction.DecodeUnsigned(payload).Data.Span)), intent.CalldataDigest);
                    break;
                case "other":
                    // random calldata may start with a selector we decode; otherwise it is a call
                    if (intent.Call is { } call)
                    {
                        Assert.Equal(to, call.Contract);
                        Assert.Equal(value, call.Value);
                    }
                    break;
                default:
                    var erc20 = c.GetProperty("erc20");
                    var output = intent.Outputs[0];
                    Assert.Equal(erc20.GetProperty("to").GetString(), output.Destination);
                    Assert.Equal(to, output.Asset);
                    Assert.Equal(BigInteger.Parse(erc20.GetProperty("amount").GetString()!), output.Amount);
                    if (erc20.TryGetProperty("from", out var holder)) Assert.Contains(holder.GetString(), intent.Sources);
                    Assert.Equal(erc20.GetProperty("method").GetString() == "approve", intent.Notes.Contains("erc20:approve"));
                    break;
            }

            var signed = codec.Sign(payload, FixedKeyRing.Single(c.GetProperty("privateKey").GetString()!), KeyPath.Root);
            Assert.Equal(c.GetProperty("signed").GetString(), signed.Payload);
            Assert.Equal(c.GetProperty("hash").GetString(), signed.TxId);
            Assert.Equal(c.GetProperty("from").GetString(), signed.Intent.Sources[0]);
            count++;
        }
        Assert.True(count >= 100);
    }

    [NodeFact("tests/crosscheck/account", "ethers")]
    public void Ethers_typed_data_hashes_and_signs_identically()
    {
        foreach (var c in Cases.GetProperty("eip712").EnumerateArray())
        {
            var json = c.GetProperty("json").GetString()!;
            var typed = Eip712.Parse(json);
            Assert.Equal(c.GetProperty("domainSeparator").GetString(), HexText.Prefixed(typed.DomainSeparator()));
            Assert.Equal(c.GetProperty("digest").GetString(), HexText.Prefixed(typed.Digest()));
            var keys = FixedKeyRing.Single(c.GetProperty("privateKey").GetString()!);
            var decoded = EvmMessages.DecodeTypedData(json, c.GetProperty("chainId").GetUInt64());
            Assert.Empty(decoded.Notes);
            var signature = EvmMessages.SignDigest(keys, KeyPath.Root, decoded.Digest);
            Assert.Equal(c.GetProperty("signature").GetString(), HexText.Prefixed(signature));
        }
    }

    [NodeFact("tests/crosscheck/account", "ethers")]
    public void Web3js_messages_decode_and_sign_identically()
    {
        var codec = ChainRegistry.Get("sol").Codec();
        var count = 0;
        var nonces = 0;
        foreach (var c in Cases.GetProperty("solana").EnumerateArray())
        {
            var message = codec.ParsePayload(c.GetProperty("message").GetString()!);
            var parsed = SolanaMessage.Parse(message);
            Assert.Equal(c.GetProperty("v0").GetBoolean() ? 0 : null, parsed.Version);
            Assert.Equal(message, parsed.Serialize());

            var intent = codec.Decode(message);
            Assert.Equal(BigInteger.Parse(c.GetProperty("fee").GetString()!), intent.Fee);
            Assert.Equal(c.GetProperty("payer").GetString(), intent.Sources[0]);
            var blockhash = c.GetProperty("blockhash").GetString();
            var nonceAccount = c.GetProperty("nonceAccount").GetString();
            Assert.Equal(
                nonceAccount is null ? [] : [$"{nonceAccount}/{blockhash}"],
                intent.ReplayKeys);
            Assert.Equal(nonceAccount is not null, intent.Notes.Contains("solana:durable-nonce"));
            if (nonceAccount is not null) nonces++;
            var expected = c.GetProperty("outputs").EnumerateArray()
                .Select(o => new IntentOutput(o.GetProperty("destination").GetString(), o.GetProperty("asset").GetString()!, BigInteger.Parse(o.GetProperty("amount").GetString()!), false))
                .ToList();
            Assert.Equal(expected, intent.Outputs);
            Assert.Equal(expected.Any(o => o.Destination is null), intent.Notes.Contains("unresolved-lookup-table"));
            Assert.Null(intent.Call);

            var signed = codec.Sign(message, FixedKeyRing.SingleEd25519(c.GetProperty("seed").GetString()!), KeyPath.Root);
            Assert.Equal(c.GetProperty("wire").GetString(), signed.Payload);
            var wire = Convert.FromBase64String(signed.Payload);
            Assert.Equal(Base58.Encode(wire.AsSpan(1, 64)), signed.TxId);
            count++;
        }
        Assert.True(count >= 50);
        Assert.True(nonces > 0);
    }
}
