using System.Numerics;
using Custody.Core.Chains;
using Custody.Core.Chains.Evm;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Tests.TestKit;
using static Custody.Core.Tests.Chains.Evm.EvmTestData;

namespace Custody.Core.Tests.Chains.Evm;

public class EvmTransactionTests
{
    private static readonly string[] Kinds = ["Legacy", "Eip155", "Berlin", "London"];

    public static TheoryData<int, string> EthersCases()
    {
        var data = new TheoryData<int, string>();
        var count = VectorFile.Json("ethers-transactions-sample.json").GetProperty("vectors").GetArrayLength();
        for (var i = 0; i < count; i++)
            foreach (var kind in Kinds) data.Add(i, kind);
        return data;
    }

    // ethers.js transactions.json (random-0..9): every unsigned and signed encoding of the
    // four envelopes reproduced byte for byte, decoded back, and signed with RFC 6979.
    [Theory]
    [MemberData(nameof(EthersCases))]
    public void Ethers_sample_encodings_are_reproduced_byte_for_byte(int index, string kind)
    {
        var v = VectorFile.Json("ethers-transactions-sample.json").GetProperty("vectors")[index];
        var tx = EthersTransaction(v.GetProperty("transaction"), kind);
        var unsigned = Hex(v.GetProperty("unsigned" + kind).GetString()!);
        var signed = Hex(v.GetProperty("signed" + kind).GetString()!);
        var sig = v.GetProperty("signature" + kind);

        Assert.Equal(ToHex(unsigned), ToHex(tx.EncodeUnsigned()));
        Assert.Equal(ToHex(unsigned), ToHex(EvmTransaction.DecodeUnsigned(unsigned).EncodeUnsigned()));

        var ecdsa = Secp256k1.Sign(Hex(v.GetProperty("privateKey").GetString()!), tx.SigningHash());
        Assert.Equal(Number(sig.GetProperty("r")), new BigInteger(ecdsa.R, true, true));
        Assert.Equal(Number(sig.GetProperty("s")), new BigInteger(ecdsa.S, true, true));
        Assert.Equal(ToHex(signed), ToHex(tx.EncodeSigned(EvmTxSignature.From(ecdsa))));

        var (decoded, signature) = EvmTransaction.DecodeSigned(signed);
        Assert.Equal(ToHex(unsigned), ToHex(decoded.EncodeUnsigned()));
        Assert.Equal(ecdsa.RecoveryId, signature.YParity);
        Assert.Equal(ToHex(signed), ToHex(decoded.EncodeSigned(signature)));
    }

    // The same vectors through EvmCodec: the chain comes from the registry, the signed payload
    // and hash are the ethers ones, and the pre-EIP-155 encoding is refused.
    [Theory]
    [MemberData(nameof(EthersCases))]
    public void Ethers_sample_signs_through_the_codec(int index, string kind)
    {
        var v = VectorFile.Json("ethers-transactions-sample.json").GetProperty("vectors")[index];
        var chainId = (ulong)Number(v.GetProperty("transaction").GetProperty("chainId"));
        var codec = new EvmCodec(EvmFamily.ForChainId(chainId));
        var keys = FixedKeyRing.Single(v.GetProperty("privateKey").GetString()!);
        var unsigned = codec.ParsePayload(v.GetProperty("unsigned" + kind).GetString()!);

        if (kind == "Legacy")
        {
            var e = Assert.Throws<InvalidInputException>(() => codec.Sign(unsigned, keys, KeyPath.Root));
            Assert.Equal("tx.chainId", e.Field);
            Assert.Equal(0, keys.SignatureCount);
            return;
        }
        var result = codec.Sign(unsigned, keys, KeyPath.Root);
        var signed = v.GetProperty("signed" + kind).GetString()!;
        Assert.Equal(signed, result.Payload);
        Assert.Equal(ToHex(Hashes.Keccak256(Hex(signed))), result.TxId);
        var from = EvmAddress.FromPublicKey(keys.GetPublicKey(KeyPath.Root));
        Assert.Equal([from], result.Intent.Sources);
        Assert.Equal($"{chainId}/{from.ToLowerInvariant()}/{Number(v.GetProperty("transaction").GetProperty("nonce"))}", Assert.Single(result.Intent.ReplayKeys));
    }

    // EIP-155 "Example": signing RLP, signing hash, v = 37, r, s and the signed transaction.
    [Fact]
    public void Eip155_example_is_reproduced()
    {
        var v = VectorFile.Json("eip155-signing.json");
        var codec = new EvmCodec(ChainRegistry.Get("eth"));
        var unsigned = codec.ParsePayload(v.GetProperty("signing_data_rlp").GetString()!);
        var tx = EvmTransaction.DecodeUnsigned(unsigned);
        Assert.Equal(9UL, tx.Nonce);
        Assert.Equal(BigInteger.Parse("20000000000"), tx.GasPrice);
        Assert.Equal(21000UL, tx.GasLimit);
        Assert.Equal(BigInteger.Pow(10, 18), tx.Value);
        Assert.Equal(1UL, tx.ChainId);
        Assert.Equal(v.GetProperty("signing_hash").GetString(), ToHex(tx.SigningHash()));

        var keys = FixedKeyRing.Single(v.GetProperty("private_key").GetString()!);
        var result = codec.Sign(unsigned, keys, KeyPath.Root);
        Assert.Equal(v.GetProperty("signed_tx").GetString(), result.Payload);
        var (_, signature) = EvmTransaction.DecodeSigned(Hex(result.Payload));
        Assert.Equal(BigInteger.Parse(v.GetProperty("r_decimal").GetString()!), signature.R);
        Assert.Equal(BigInteger.Parse(v.GetProperty("s_decimal").GetString()!), signature.S);
        Assert.Equal(37 - 35 - 2, signature.YParity);
        Assert.Equal(v.GetProperty("sender_address_derived_by_collector").GetString(), Assert.Single(result.Intent.Sources));

        var intent = codec.Decode(unsigned);
        var output = Assert.Single(intent.Outputs);
        Assert.Equal("0x3535353535353535353535353535353535353535", output.Destination);
        Assert.Equal(IntentOutput.NativeAsset, output.Asset);
        Assert.Equal(BigInteger.Pow(10, 18), output.Amount);
        Assert.Equal(new BigInteger(21000) * 20_000_000_000, intent.Fee);
        Assert.Null(intent.Call);
        Assert.Equal(["1/9"], intent.ReplayKeys);
        Assert.Empty(intent.Sources);
    }

    [Theory]
    [InlineData("03", "tx.type")] // blob transactions are not signed here
    [InlineData("04c0", "tx.type")]
    [InlineData("", "tx")]
    [InlineData("80", "tx")]
    [InlineData("02c0", "tx.chainId")] // typed, but an empty field list
    [InlineData("c0", "tx.nonce")]
    public void Malformed_transactions_name_the_field(string hex, string field)
    {
        var e = Assert.Throws<InvalidInputException>(() => EvmTransaction.DecodeUnsigned(Hex(hex)));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Oversized_transactions_are_refused_before_parsing()
    {
        var huge = new byte[EvmTransaction.MaxEncodedSize + 1];
        huge[0] = 0x02;
        Assert.Contains("longer", Assert.Throws<InvalidInputException>(() => EvmTransaction.DecodeUnsigned(huge)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsigned_eip155_tx_must_end_with_zero_r_and_s()
    {
        var tx = new EvmTransaction { Type = EvmTransactionType.Legacy, ChainId = 1, GasLimit = 21000, To = new byte[20] };
        var encoded = tx.EncodeUnsigned();
        encoded[^1] = 0x01; // s = 1
        Assert.Throws<InvalidInputException>(() => EvmTransaction.DecodeUnsigned(encoded));
    }

    [Fact]
    public void A_tip_above_the_fee_cap_is_refused()
    {
        var tx = new EvmTransaction { Type = EvmTransactionType.DynamicFee, ChainId = 1, MaxPriorityFeePerGas = 2, MaxFeePerGas = 1, To = new byte[20] };
        Assert.Equal("tx.maxPriorityFeePerGas", Assert.Throws<InvalidInputException>(() => EvmTransaction.DecodeUnsigned(tx.EncodeUnsigned())).Field);
    }

    // Property: every strict prefix of a valid transaction, and thousands of random byte
    // flips, are refused with InvalidInputException or decode to a transaction that
    // re-encodes to exactly the input (strict decoding leaves no second reading).
    [Fact]
    public void Truncated_and_mutated_transactions_are_refused_or_canonical()
    {
        var vectors = VectorFile.Json("ethers-transactions-sample.json").GetProperty("vectors");
        var random = new Random(1559);
        var coverage = new FuzzCoverage("EVM transactions mutated");
        foreach (var v in vectors.EnumerateArray())
        {
            foreach (var kind in new[] { "Eip155", "Berlin", "London" })
            {
                var unsigned = Hex(v.GetProperty("unsigned" + kind).GetString()!);
                for (var cut = 0; cut < unsigned.Length; cut++)
                    Assert.Throws<InvalidInputException>(() => EvmTransaction.DecodeUnsigned(unsigned.AsSpan(0, cut)));
                for (var i = 0; i < 1000; i++)
                {
                    var mutated = (byte[])unsigned.Clone();
                    for (var flips = random.Next(1, 4); flips > 0; flips--) mutated[random.Next(mutated.Length)] ^= (byte)random.Next(1, 256);
                    coverage.Try(() => Assert.Equal(ToHex(mutated), ToHex(EvmTransaction.DecodeUnsigned(mutated).EncodeUnsigned())));
                }
            }
        }
        coverage.AssertReached(minAccepted: 1000, minRefused: 1000);
    }

    [Fact]
    public void Random_bytes_are_refused_or_canonical()
    {
        var random = new Random(155);
        var noise = new FuzzCoverage("random bytes as EVM transactions");
        for (var i = 0; i < 20000; i++)
        {
            var input = new byte[random.Next(0, 120)];
            random.NextBytes(input);
            if (input.Length > 0) input[0] = (byte)(random.Next(3) switch { 0 => 0x02, 1 => 0x01, _ => random.Next(0xc0, 0x100) });
            noise.Try(() => Assert.Equal(input, EvmTransaction.DecodeUnsigned(input).EncodeUnsigned()));
        }
        // Random transactions (every type, fields of random width) are what the decoder must accept.
        var valid = new FuzzCoverage("random EVM transactions");
        for (var i = 0; i < 5000; i++)
        {
            var type = (EvmTransactionType)random.Next(3);
            var maxFee = new BigInteger(random.NextInt64()) << random.Next(0, 64);
            var encoded = new EvmTransaction
            {
                Type = type,
                ChainId = Math.Max(1UL, (ulong)random.NextInt64(1, long.MaxValue) >> random.Next(0, 62)),
                Nonce = (ulong)random.NextInt64() >> random.Next(0, 63),
                GasPrice = type == EvmTransactionType.DynamicFee ? 0 : maxFee,
                MaxPriorityFeePerGas = type == EvmTransactionType.DynamicFee ? maxFee >> random.Next(0, 64) : 0,
                MaxFeePerGas = type == EvmTransactionType.DynamicFee ? maxFee : 0,
                GasLimit = (ulong)random.NextInt64() >> random.Next(0, 63),
                To = random.Next(5) == 0 ? null : RandomBytes(random, 20),
                Value = new BigInteger(random.NextInt64()) << random.Next(0, 190),
                Data = RandomBytes(random, random.Next(0, 3) == 0 ? 0 : random.Next(1, 100)),
            }.EncodeUnsigned();
            valid.Try(() => Assert.Equal(encoded, EvmTransaction.DecodeUnsigned(encoded).EncodeUnsigned()));
        }
        noise.AssertReached(minAccepted: 0, minRefused: 19000);
        valid.AssertReached(minAccepted: 5000, minRefused: 0);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
