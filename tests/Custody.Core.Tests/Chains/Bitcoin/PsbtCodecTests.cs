using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Sighash;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Hd;
using Custody.Core.Policy;
using Custody.Core.Tests.TestKit;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>Sign-then-verify round trips for every single-key script on every Bitcoin-family network.</summary>
public class PsbtCodecTests
{
    private const uint Fingerprint = 0x1234abcd;
    private static readonly string[] PayloadFields = ["payload", "psbt"];

    public static TheoryData<string, BitcoinAddressKind> ScriptsPerNetwork()
    {
        var data = new TheoryData<string, BitcoinAddressKind>();
        foreach (var chain in ChainRegistry.All.Where(c => c.Family == BitcoinFamily.Instance))
            foreach (var kind in Enum.GetValues<BitcoinAddressKind>())
                if (SingleKeyScript.IsAvailable(kind, BitcoinFamily.NetworkOf(chain)))
                    data.Add(chain.Id, kind);
        return data;
    }

    internal static KeyPath PathFor(Chain chain, BitcoinAddressKind kind, uint change, uint index)
    {
        var purpose = kind switch
        {
            BitcoinAddressKind.P2pkh => 44u,
            BitcoinAddressKind.P2shP2wpkh => 49u,
            BitcoinAddressKind.P2wpkh => 84u,
            _ => 86u,
        };
        return KeyPath.Root.Hardened(purpose).Hardened(chain.CoinType).Hardened(0).Child(change).Child(index);
    }

    [Theory]
    [MemberData(nameof(ScriptsPerNetwork))]
    public void Signs_finalises_and_verifies(string chainId, BitcoinAddressKind kind)
    {
        var chain = ChainRegistry.Get(chainId);
        using var keys = FixedKeyRing.Deterministic(Fingerprint);
        var builder = new TestPsbtBuilder(keys);
        var external = BitcoinScript.P2pkh(new byte[20]);
        var psbt = builder
            .Spend(kind, PathFor(chain, kind, 0, 0), 150_000)
            .Spend(kind, PathFor(chain, kind, 0, 1), 50_000)
            .Pay(external, 120_000)
            .Change(kind, PathFor(chain, kind, 1, 0), 79_000)
            .Build();
        var codec = chain.Codec();
        var payload = codec.ParsePayload(psbt.ToBase64());

        var decoded = codec.Decode(payload);
        var signed = codec.Sign(payload, keys, null);

        AssertSameIntent(decoded, signed.Intent);
        Assert.Same(chain, decoded.Chain);
        Assert.Equal(1_000, decoded.Fee);
        var estimate = Assert.IsType<long>(decoded.VirtualSize);
        Assert.Empty(decoded.Notes);
        Assert.Equal([.. psbt.UnsignedTransaction.Inputs.Select(i => i.PrevOut.ToString())], decoded.ReplayKeys);
        Assert.Equal(2, decoded.Sources.Count);
        Assert.All(decoded.Sources, s => Assert.Equal(s, BitcoinAddress.Normalize(s, BitcoinFamily.NetworkOf(chain))));
        Assert.True(BitcoinAddress.TryFromScriptPubKey(external, BitcoinFamily.NetworkOf(chain), out var to));
        Assert.Equal(new IntentOutput(to, "native", 120_000, false), decoded.Outputs[0]);
        Assert.True(decoded.Outputs[1].IsChange);
        Assert.Equal(BitcoinAddress.FromPublicKey(kind, keys.GetPublicKey(PathFor(chain, kind, 1, 0)), BitcoinFamily.NetworkOf(chain)), decoded.Outputs[1].Destination);

        var result = PartiallySignedTransaction.ParseBase64(signed.Payload);
        Assert.True(result.IsFinalized);
        var tx = result.ExtractTransaction();
        Assert.Equal(tx.TxId, signed.TxId);
        Assert.Equal(kind != BitcoinAddressKind.P2pkh, tx.HasWitness);
        SignatureChecker.AssertValid(tx, SpentOutputs.Resolve(psbt, BitcoinFamily.NetworkOf(chain)));
        Assert.Equal(2, keys.SignatureCount);

        // The estimate never exceeds the real vsize (so the fee rate is never understated), and it is
        // close: Schnorr signatures are exactly 64 bytes, ECDSA ones at most 3 bytes above the bound.
        var real = VirtualSize(tx);
        Assert.InRange(real - estimate, 0, kind == BitcoinAddressKind.P2tr ? 0 : 3 * 2);
        // once final, the bound stays the same: the inputs' owner could still re-sign them shorter
        var finalSize = Assert.IsType<long>(codec.Decode(codec.ParsePayload(signed.Payload)).VirtualSize);
        Assert.Equal(estimate, finalSize);
    }

    [Fact]
    public void Signs_a_mix_of_every_script_kind_in_one_transaction()
    {
        var chain = ChainRegistry.Get("btc");
        using var keys = FixedKeyRing.Deterministic(Fingerprint);
        var builder = new TestPsbtBuilder(keys);
        foreach (var kind in Enum.GetValues<BitcoinAddressKind>())
            builder.Spend(kind, PathFor(chain, kind, 0, 7), 10_000);
        var psbt = builder.Pay(BitcoinScript.P2tr(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray()), 39_000).Build();
        var codec = new PsbtCodec(chain);

        var signed = codec.Sign(psbt.ToBytes(), keys, null);

        var result = PartiallySignedTransaction.ParseBase64(signed.Payload);
        var tx = result.ExtractTransaction();
        SignatureChecker.AssertValid(tx, SpentOutputs.Resolve(psbt, BitcoinFamily.NetworkOf(chain)));
        Assert.Equal(1_000, signed.Intent.Fee);
        Assert.Equal(tx.TxId, signed.TxId);
        Assert.Equal(4, signed.Intent.Sources.Count);
    }

    [Fact]
    public void Signing_twice_gives_the_same_bytes_and_a_signed_psbt_is_not_signed_again()
    {
        var chain = ChainRegistry.Get("btc-testnet");
        using var keys = FixedKeyRing.Deterministic(Fingerprint);
        var psbt = new TestPsbtBuilder(keys).Spend(BitcoinAddressKind.P2wpkh, PathFor(chain, BitcoinAddressKind.P2wpkh, 0, 0), 5_000)
            .Pay(BitcoinScript.P2wpkh(new byte[20]), 4_000).Build();
        var codec = new PsbtCodec(chain);

        var first = codec.Sign(psbt.ToBytes(), keys, null);
        var second = codec.Sign(psbt.ToBytes(), keys, null);

        Assert.Equal(first.Payload, second.Payload);
        Assert.Equal(first.TxId, second.TxId);
        var error = Assert.Throws<InvalidInputException>(() => codec.Sign(codec.ParsePayload(first.Payload), keys, null));
        Assert.Equal("psbt", error.Field);
    }

    [Fact]
    public void Non_default_sighash_types_are_noted_and_signed_as_asked()
    {
        var chain = ChainRegistry.Get("btc");
        using var keys = FixedKeyRing.Deterministic(Fingerprint);
        var psbt = new TestPsbtBuilder(keys)
            .Spend(BitcoinAddressKind.P2wpkh, PathFor(chain, BitcoinAddressKind.P2wpkh, 0, 0), 5_000, i => i.WithSighashType(0x82))
            .Spend(BitcoinAddressKind.P2tr, PathFor(chain, BitcoinAddressKind.P2tr, 0, 0), 5_000, i => i.WithSighashType(0x83))
            .Spend(BitcoinAddressKind.P2pkh, PathFor(chain, BitcoinAddressKind.P2pkh, 0, 0), 5_000, i => i.WithSighashType(SighashType.All))
            .Spend(BitcoinAddressKind.P2tr, PathFor(chain, BitcoinAddressKind.P2tr, 0, 1), 5_000, i => i.WithSighashType(SighashType.Default))
            .Pay(BitcoinScript.P2wpkh(new byte[20]), 4_000)
            .Pay(BitcoinScript.P2wpkh(new byte[20]), 4_000)
            .Build();
        var codec = new PsbtCodec(chain);

        var intent = codec.Decode(psbt.ToBytes());
        var signed = codec.Sign(psbt.ToBytes(), keys, null);

        Assert.Equal(["input[0].sighash:NONE|ANYONECANPAY", "input[1].sighash:SINGLE|ANYONECANPAY"], intent.Notes);
        var tx = PartiallySignedTransaction.ParseBase64(signed.Payload).ExtractTransaction();
        Assert.Equal(0x82, tx.Inputs[0].Witness[0].Span[^1]);
        Assert.Equal(65, tx.Inputs[1].Witness[0].Length);
        Assert.Equal(0x83, tx.Inputs[1].Witness[0].Span[^1]);
        Assert.Equal(64, tx.Inputs[3].Witness[0].Length); // DEFAULT: no sighash byte
        SignatureChecker.AssertValid(tx, SpentOutputs.Resolve(psbt, BitcoinFamily.NetworkOf(chain)));
    }

    [Fact]
    public void Only_inputs_of_this_wallet_are_signed_and_the_txid_is_predicted_when_it_is_fixed()
    {
        var chain = ChainRegistry.Get("btc");
        using var ours = FixedKeyRing.Deterministic(Fingerprint, "ours");
        using var theirs = FixedKeyRing.Deterministic(0x99990000, "theirs");
        var theirPath = PathFor(chain, BitcoinAddressKind.P2wpkh, 0, 3);
        var theirBuilder = new TestPsbtBuilder(theirs).Spend(BitcoinAddressKind.P2wpkh, theirPath, 20_000);
        var theirPsbt = theirBuilder.Pay(BitcoinScript.P2wpkh(new byte[20]), 1).Build();
        var builder = new TestPsbtBuilder(ours)
            .Spend(BitcoinAddressKind.P2shP2wpkh, PathFor(chain, BitcoinAddressKind.P2shP2wpkh, 0, 0), 30_000)
            .SpendRaw(theirPsbt.UnsignedTransaction.Inputs[0].PrevOut, input => new PsbtInput(input.Index, theirPsbt.Inputs[0].Map))
            .Pay(BitcoinScript.P2wpkh(new byte[20]), 49_000);
        var psbt = builder.Build();
        var codec = new PsbtCodec(chain);

        var first = codec.Sign(psbt.ToBytes(), ours, null);

        var partial = PartiallySignedTransaction.ParseBase64(first.Payload);
        Assert.False(partial.IsFinalized);
        Assert.Single(partial.Inputs[0].PartialSignatures);
        Assert.Empty(partial.Inputs[1].PartialSignatures);
        Assert.Equal(1, ours.SignatureCount);

        var second = codec.Sign(codec.ParsePayload(first.Payload), theirs, null);

        var complete = PartiallySignedTransaction.ParseBase64(second.Payload);
        Assert.True(complete.IsFinalized);
        var tx = complete.ExtractTransaction();
        SignatureChecker.AssertValid(tx, SpentOutputs.Resolve(psbt, BitcoinFamily.NetworkOf(chain)));
        Assert.Equal(tx.TxId, second.TxId);
        Assert.Equal(tx.TxId, first.TxId); // segwit-only: known before the second signature
    }

    [Fact]
    public void The_txid_is_empty_while_a_legacy_input_of_another_signer_is_open()
    {
        var chain = ChainRegistry.Get("doge");
        using var ours = FixedKeyRing.Deterministic(Fingerprint, "ours");
        using var theirs = FixedKeyRing.Deterministic(0x99990000, "theirs");
        var theirPsbt = new TestPsbtBuilder(theirs).Spend(BitcoinAddressKind.P2pkh, PathFor(chain, BitcoinAddressKind.P2pkh, 0, 0), 20_000)
            .Pay(BitcoinScript.P2pkh(new byte[20]), 1).Build();
        var psbt = new TestPsbtBuilder(ours)
            .Spend(BitcoinAddressKind.P2pkh, PathFor(chain, BitcoinAddressKind.P2pkh, 0, 0), 30_000)
            .SpendRaw(theirPsbt.UnsignedTransaction.Inputs[0].PrevOut, input => new PsbtInput(input.Index, theirPsbt.Inputs[0].Map))
            .Pay(BitcoinScript.P2pkh(new byte[20]), 49_000).Build();
        var codec = new PsbtCodec(chain);

        var first = codec.Sign(psbt.ToBytes(), ours, null);
        var second = codec.Sign(codec.ParsePayload(first.Payload), theirs, null);

        Assert.Equal("", first.TxId);
        var tx = PartiallySignedTransaction.ParseBase64(second.Payload).ExtractTransaction();
        Assert.Equal(tx.TxId, second.TxId);
        Assert.False(tx.HasWitness);
        SignatureChecker.AssertValid(tx, SpentOutputs.Resolve(psbt, BitcoinFamily.NetworkOf(chain)));
    }

    [Fact]
    public void A_signer_path_limits_the_keys_used()
    {
        var chain = ChainRegistry.Get("btc");
        using var keys = FixedKeyRing.Deterministic(Fingerprint);
        var psbt = new TestPsbtBuilder(keys)
            .Spend(BitcoinAddressKind.P2wpkh, PathFor(chain, BitcoinAddressKind.P2wpkh, 0, 0), 5_000)
            .Pay(BitcoinScript.P2wpkh(new byte[20]), 4_000).Build();
        var codec = new PsbtCodec(chain);

        Assert.Equal("psbt", Assert.Throws<InvalidInputException>(() => codec.Sign(psbt.ToBytes(), keys, KeyPath.Parse("m/44'"))).Field);
        Assert.NotNull(codec.Sign(psbt.ToBytes(), keys, KeyPath.Parse("m/84'/0'")));
    }

    [Fact]
    public void A_single_non_hd_key_is_matched_by_its_own_fingerprint_and_the_empty_path()
    {
        var chain = ChainRegistry.Get("btc");
        var priv = Custody.Core.Crypto.Hashes.Sha256("single key"u8);
        using var keys = FixedKeyRing.Of(null, (KeyPath.Root, priv));
        var pub = keys.GetPublicKey(KeyPath.Root);
        var fingerprint = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(Custody.Core.Crypto.Hashes.Hash160(pub));
        using var labelled = FixedKeyRing.Of(fingerprint, (KeyPath.Root, priv));
        var psbt = new TestPsbtBuilder(labelled).Spend(BitcoinAddressKind.P2wpkh, KeyPath.Root, 5_000)
            .Pay(BitcoinScript.P2wpkh(new byte[20]), 4_000).Build();

        var signed = new PsbtCodec(chain).Sign(psbt.ToBytes(), keys, null);

        SignatureChecker.AssertValid(PartiallySignedTransaction.ParseBase64(signed.Payload).ExtractTransaction(), SpentOutputs.Resolve(psbt, BitcoinFamily.NetworkOf(chain)));
    }

    [Fact]
    public void Payloads_are_read_from_base64_or_hex_and_anything_else_is_refused()
    {
        var codec = new PsbtCodec(ChainRegistry.Get("btc"));
        var valid = VectorFile.Json("bip174-psbt.json").GetProperty("valid")[0];
        var hex = valid.GetProperty("hex").GetString()!;

        Assert.Equal(hex, VectorFile.ToHex(codec.ParsePayload(valid.GetProperty("base64").GetString()!)));
        Assert.Equal(hex, VectorFile.ToHex(codec.ParsePayload(" " + hex.ToUpperInvariant() + "\n")));
        foreach (var bad in new[] { "", "   ", "not base64!", "AAAA", "70736274ffzz", Convert.ToBase64String("psbt"u8) })
            Assert.Contains(Assert.Throws<InvalidInputException>(() => codec.ParsePayload(bad)).Field, PayloadFields);
    }

    [Fact]
    public void The_codec_factory_gives_the_bitcoin_family_the_psbt_codec()
    {
        foreach (var chain in ChainRegistry.All.Where(c => c.Family == BitcoinFamily.Instance))
            Assert.Same(chain, Assert.IsType<PsbtCodec>(chain.Codec()).Chain);
    }

    /// <summary>BIP141 vsize of a real transaction: ⌈(3 × stripped size + total size) ÷ 4⌉.</summary>
    internal static long VirtualSize(BitcoinTransaction tx) =>
        (3L * tx.ToBytes(includeWitness: false).Length + tx.ToBytes(includeWitness: true).Length + 3) / 4;

    internal static void AssertSameIntent(TransactionIntent expected, TransactionIntent actual)
    {
        Assert.Equal(expected.Chain, actual.Chain);
        Assert.Equal(expected.Sources, actual.Sources);
        Assert.Equal(expected.Outputs, actual.Outputs);
        Assert.Equal(expected.Fee, actual.Fee);
        Assert.Equal(expected.Call, actual.Call);
        Assert.Equal(expected.ReplayKeys, actual.ReplayKeys);
        Assert.Equal(expected.Notes, actual.Notes);
    }
}
