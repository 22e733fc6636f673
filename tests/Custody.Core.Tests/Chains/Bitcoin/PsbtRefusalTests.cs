using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Policy;
using Custody.Core.Tests.TestKit;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>What must never be signed: uncommitted amounts, inconsistent UTXO data, false change, foreign scripts.</summary>
public sealed class PsbtRefusalTests : IDisposable
{
    private const uint Fingerprint = 0x1234abcd;
    private static readonly Chain Btc = ChainRegistry.Get("btc");
    private readonly FixedKeyRing _keys = FixedKeyRing.Deterministic(Fingerprint);
    private readonly PsbtCodec _codec = new(Btc);

    public void Dispose() => _keys.Dispose();

    private static KeyPath Path(BitcoinAddressKind kind, uint index = 0) => PsbtCodecTests.PathFor(Btc, kind, 0, index);

    private static byte[] External => BitcoinScript.P2wpkh(Enumerable.Repeat((byte)7, 20).ToArray());

    private InvalidInputException DecodeFails(PartiallySignedTransaction psbt) =>
        Assert.Throws<InvalidInputException>(() => _codec.Decode(psbt.ToBytes()));

    private InvalidInputException SignFails(PartiallySignedTransaction psbt, IKeyRing? keys = null) =>
        Assert.Throws<InvalidInputException>(() => _codec.Sign(psbt.ToBytes(), keys ?? _keys, null));

    public static TheoryData<int, string> SignerCheckVectors() => new()
    {
        { 0, "input[0].non_witness_utxo" }, // a witness UTXO given for a non-witness (P2PKH) input
        { 1, "input[0].redeem_script" },
        { 2, "input[1].redeem_script" },
        { 3, "input[1].witness_script" },
    };

    // BIP174 "fails_signer_checks": refused already when decoding, so never signed.
    [Theory]
    [MemberData(nameof(SignerCheckVectors))]
    public void Bip174_signer_check_vectors_are_refused(int index, string field)
    {
        var v = VectorFile.Json("bip174-psbt.json").GetProperty("fails_signer_checks")[index];
        var bytes = VectorFile.Hex(v.GetProperty("hex").GetString()!);
        var codec = new PsbtCodec(ChainRegistry.Get("btc-testnet"));

        Assert.NotNull(PartiallySignedTransaction.Parse(bytes)); // well-formed...
        Assert.Equal(field, Assert.Throws<InvalidInputException>(() => codec.Decode(bytes)).Field); // ...but inconsistent
        Assert.Equal(field, Assert.Throws<InvalidInputException>(() => codec.Sign(bytes, _keys, null)).Field);
    }

    [Fact]
    public void A_legacy_input_with_only_a_witness_utxo_is_refused()
    {
        var psbt = new TestPsbtBuilder(_keys)
            .Spend(BitcoinAddressKind.P2pkh, Path(BitcoinAddressKind.P2pkh), 10_000,
                input => new PsbtInput(input.Index, input.Map.Where(e => e.KeyType != PsbtInputKey.NonWitnessUtxo))
                    .WithWitnessUtxo(new TxOutput(10_000, TestPsbtBuilder.ScriptFor(BitcoinAddressKind.P2pkh, _keys.GetPublicKey(Path(BitcoinAddressKind.P2pkh))))))
            .Pay(External, 9_000).Build();

        Assert.Equal("input[0].non_witness_utxo", DecodeFails(psbt).Field);
        Assert.Equal("input[0].non_witness_utxo", SignFails(psbt).Field);
        Assert.Equal(0, _keys.SignatureCount);
    }

    [Fact]
    public void A_segwit_input_without_a_witness_utxo_is_not_signed()
    {
        var psbt = new TestPsbtBuilder(_keys)
            .Spend(BitcoinAddressKind.P2wpkh, Path(BitcoinAddressKind.P2wpkh), 10_000,
                input => new PsbtInput(input.Index, input.Map.Where(e => e.KeyType != PsbtInputKey.WitnessUtxo)))
            .Pay(External, 9_000).Build();

        Assert.Equal(1_000, _codec.Decode(psbt.ToBytes()).Fee); // the amount is proven by the full previous transaction...
        Assert.Equal("input[0].witness_utxo", SignFails(psbt).Field); // ...but a segwit signer wants witness_utxo
    }

    [Fact]
    public void A_witness_utxo_that_disagrees_with_the_previous_transaction_is_refused()
    {
        // The segwit fee attack: a smaller amount in witness_utxo than the real output.
        var psbt = new TestPsbtBuilder(_keys)
            .Spend(BitcoinAddressKind.P2wpkh, Path(BitcoinAddressKind.P2wpkh), 10_000,
                input => input.WithWitnessUtxo(new TxOutput(1_000, input.WitnessUtxo!.ScriptPubKey)))
            .Pay(External, 900).Build();

        Assert.Equal("input[0].witness_utxo", DecodeFails(psbt).Field);
        Assert.Equal("input[0].witness_utxo", SignFails(psbt).Field);
    }

    [Fact]
    public void A_previous_transaction_that_is_not_the_one_spent_is_refused()
    {
        var builder = new TestPsbtBuilder(_keys);
        var other = builder.Funding(new TxOutput(99_999, External));
        var psbt = builder
            .Spend(BitcoinAddressKind.P2pkh, Path(BitcoinAddressKind.P2pkh), 10_000, input => input.WithNonWitnessUtxo(other))
            .Pay(External, 9_000).Build();

        var error = DecodeFails(psbt);

        Assert.Equal("input[0].non_witness_utxo", error.Field);
        Assert.Contains(other.TxId, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_previous_output_must_exist()
    {
        var builder = new TestPsbtBuilder(_keys);
        var previous = builder.Funding(new TxOutput(5_000, External));
        var psbt = builder
            .SpendRaw(new OutPoint(previous.TxHash, 9), input => input.WithNonWitnessUtxo(previous))
            .Pay(External, 4_000).Build();

        Assert.Equal("input[0].non_witness_utxo", DecodeFails(psbt).Field);
    }

    [Fact]
    public void Taproot_needs_the_spent_output_of_every_input()
    {
        using var otherKeys = FixedKeyRing.Deterministic(1, "other");
        var other = new TestPsbtBuilder(otherKeys).Funding(new TxOutput(5_000, External));
        var psbt = new TestPsbtBuilder(_keys)
            .Spend(BitcoinAddressKind.P2tr, Path(BitcoinAddressKind.P2tr), 10_000)
            .SpendRaw(new OutPoint(other.TxHash, 1), input => input)
            .Pay(External, 9_000).Build();

        var error = SignFails(psbt);

        Assert.Equal("input[1]", error.Field);
        Assert.Contains("amount it spends is unknown", error.Reason, StringComparison.Ordinal);
        Assert.Equal(0, _keys.SignatureCount);
    }

    [Fact]
    public void A_derivation_with_our_fingerprint_but_another_key_is_refused()
    {
        var path = Path(BitcoinAddressKind.P2wpkh);
        var psbt = new TestPsbtBuilder(_keys)
            .Spend(BitcoinAddressKind.P2wpkh, path, 10_000,
                input => input.WithBip32Derivation(_keys.GetPublicKey(Path(BitcoinAddressKind.P2wpkh, 1)), new KeyOrigin(Fingerprint, path)))
            .Pay(External, 9_000).Build();

        Assert.Equal("input[0].bip32_derivation", SignFails(psbt).Field);
    }

    [Fact]
    public void A_key_of_ours_in_a_script_that_is_not_single_key_is_not_signed()
    {
        var pub = _keys.GetPublicKey(Path(BitcoinAddressKind.P2wpkh));
        byte[] multisig = [0x51, 0x21, .. pub, 0x51, 0xae]; // 1-of-1 bare multisig
        var builder = new TestPsbtBuilder(_keys);
        var previous = builder.Funding(new TxOutput(10_000, multisig));
        var psbt = builder
            .SpendRaw(new OutPoint(previous.TxHash, 1), input => input.WithNonWitnessUtxo(previous)
                .WithBip32Derivation(pub, new KeyOrigin(Fingerprint, Path(BitcoinAddressKind.P2wpkh))))
            .Pay(External, 9_000).Build();

        var intent = _codec.Decode(psbt.ToBytes());
        var error = SignFails(psbt);

        Assert.Contains("input[0].script:nonstandard", intent.Notes);
        Assert.Equal("input[0]", error.Field);
        Assert.Contains("single-key", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Change_that_does_not_pay_our_key_is_refused()
    {
        var changePath = PsbtCodecTests.PathFor(Btc, BitcoinAddressKind.P2wpkh, 1, 0);
        var ourChangeKey = _keys.GetPublicKey(changePath);
        var psbt = new TestPsbtBuilder(_keys)
            .Spend(BitcoinAddressKind.P2wpkh, Path(BitcoinAddressKind.P2wpkh), 10_000)
            // Claims to be our change (our fingerprint and key), but the script pays someone else.
            .Pay(External, 9_000, output => output.WithBip32Derivation(ourChangeKey, new KeyOrigin(Fingerprint, changePath)))
            .Build();

        Assert.True(_codec.Decode(psbt.ToBytes()).Outputs[0].IsChange); // the claim, as decoded without keys
        Assert.Equal("output[0]", SignFails(psbt).Field);
        Assert.Equal(0, _keys.SignatureCount);
    }

    [Fact]
    public void Change_claimed_with_another_wallets_derivation_is_refused()
    {
        using var stranger = FixedKeyRing.Deterministic(0x0badf00d, "stranger");
        var path = PsbtCodecTests.PathFor(Btc, BitcoinAddressKind.P2wpkh, 1, 0);
        var psbt = new TestPsbtBuilder(_keys)
            .Spend(BitcoinAddressKind.P2wpkh, Path(BitcoinAddressKind.P2wpkh), 10_000)
            .Pay(BitcoinScript.P2wpkh(Hashes.Hash160(stranger.GetPublicKey(path))), 9_000,
                output => output.WithBip32Derivation(stranger.GetPublicKey(path), new KeyOrigin(0x0badf00d, path)))
            .Build();

        var error = SignFails(psbt);

        Assert.Equal("output[0]", error.Field);
        Assert.Contains("none of them is this wallet's", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Taproot_change_with_a_script_tree_is_refused()
    {
        var changePath = PsbtCodecTests.PathFor(Btc, BitcoinAddressKind.P2tr, 1, 0);
        var pub = _keys.GetPublicKey(changePath);
        PsbtTapTreeLeaf[] tree = [new(0, Taproot.TapscriptLeafVersion, new byte[] { 0x51 })];
        var root = Taproot.MerkleRoot(tree, "test");
        var psbt = new TestPsbtBuilder(_keys)
            .Spend(BitcoinAddressKind.P2wpkh, Path(BitcoinAddressKind.P2wpkh), 10_000)
            .Pay(BitcoinScript.P2tr(Secp256k1.TaprootOutputKey(pub.AsSpan(1), root)), 9_000, output => output
                .WithTapInternalKey(pub.AsSpan(1)).WithTapTree(tree).WithTapBip32Derivation(pub.AsSpan(1), [], new KeyOrigin(Fingerprint, changePath)))
            .Build();

        Assert.Equal("output[0].tap_tree", SignFails(psbt).Field);
    }

    [Fact]
    public void Outputs_exceeding_inputs_are_refused()
    {
        var psbt = new TestPsbtBuilder(_keys)
            .Spend(BitcoinAddressKind.P2wpkh, Path(BitcoinAddressKind.P2wpkh), 10_000)
            .Pay(External, 10_001).Build();

        Assert.Equal("fee", DecodeFails(psbt).Field);
    }

    [Fact]
    public void Spending_the_same_outpoint_twice_is_refused()
    {
        var single = new TestPsbtBuilder(_keys).Spend(BitcoinAddressKind.P2wpkh, Path(BitcoinAddressKind.P2wpkh), 10_000).Pay(External, 1).Build();
        var prevOut = single.UnsignedTransaction.Inputs[0].PrevOut;
        var psbt = new TestPsbtBuilder(_keys)
            .SpendRaw(prevOut, input => new PsbtInput(input.Index, single.Inputs[0].Map))
            .SpendRaw(prevOut, input => new PsbtInput(input.Index, single.Inputs[0].Map))
            .Pay(External, 15_000).Build();

        var error = DecodeFails(psbt);

        Assert.Equal("input[1]", error.Field);
        Assert.Equal(0, _keys.SignatureCount);
    }

    [Fact]
    public void An_undefined_sighash_type_is_noted_and_not_signed()
    {
        var psbt = new TestPsbtBuilder(_keys)
            .Spend(BitcoinAddressKind.P2wpkh, Path(BitcoinAddressKind.P2wpkh), 10_000, input => input.WithSighashType(0x04))
            .Pay(External, 9_000).Build();

        Assert.Contains("input[0].sighash:0x04", _codec.Decode(psbt.ToBytes()).Notes);
        Assert.Equal("input[0].sighash_type", SignFails(psbt).Field);
    }

    [Fact]
    public void Dogecoin_refuses_segwit_inputs_and_has_no_address_for_segwit_outputs()
    {
        var doge = new PsbtCodec(ChainRegistry.Get("doge"));
        var dogePath = PsbtCodecTests.PathFor(ChainRegistry.Get("doge"), BitcoinAddressKind.P2wpkh, 0, 0);
        var segwitInput = new TestPsbtBuilder(_keys).Spend(BitcoinAddressKind.P2wpkh, dogePath, 10_000).Pay(External, 9_000).Build();
        var segwitOnlyPrevious = new TestPsbtBuilder(_keys).Spend(BitcoinAddressKind.P2wpkh, dogePath, 10_000,
                input => new PsbtInput(input.Index, input.Map.Where(e => e.KeyType != PsbtInputKey.WitnessUtxo)))
            .Pay(External, 9_000).Build();
        var legacy = new TestPsbtBuilder(_keys)
            .Spend(BitcoinAddressKind.P2pkh, PsbtCodecTests.PathFor(ChainRegistry.Get("doge"), BitcoinAddressKind.P2pkh, 0, 0), 10_000)
            .Pay(External, 9_000).Build();

        Assert.Equal("input[0].witness_utxo", Assert.Throws<InvalidInputException>(() => doge.Sign(segwitInput.ToBytes(), _keys, null)).Field);
        Assert.Equal("input[0]", Assert.Throws<InvalidInputException>(() => doge.Decode(segwitOnlyPrevious.ToBytes())).Field);
        var intent = doge.Decode(legacy.ToBytes());
        Assert.Null(intent.Outputs[0].Destination);
        Assert.Contains("output[0].script:nonstandard", intent.Notes);
        Assert.StartsWith("D", intent.Sources[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Op_return_outputs_are_noted_as_such()
    {
        var psbt = new TestPsbtBuilder(_keys)
            .Spend(BitcoinAddressKind.P2wpkh, Path(BitcoinAddressKind.P2wpkh), 10_000)
            .Pay([0x6a, 0x04, 1, 2, 3, 4], 0)
            .Pay(External, 9_000).Build();

        var intent = _codec.Decode(psbt.ToBytes());

        Assert.Equal(["output[0].script:op_return"], intent.Notes);
        Assert.Null(intent.Outputs[0].Destination);
        Assert.NotNull(_codec.Sign(psbt.ToBytes(), _keys, null));
    }

    [Fact]
    public void A_psbt_without_utxo_data_cannot_be_decoded()
    {
        var valid = VectorFile.Json("bip174-psbt.json").GetProperty("valid")[1]; // input 0 finalised, no UTXO for it
        var error = Assert.Throws<InvalidInputException>(() => _codec.Decode(VectorFile.Hex(valid.GetProperty("hex").GetString()!)));
        Assert.Equal("input[0]", error.Field);
    }

    [Fact]
    public void Transactions_above_the_standard_weight_are_refused_before_any_sighash()
    {
        var builder = new TestPsbtBuilder(_keys).Spend(BitcoinAddressKind.P2pkh, Path(BitcoinAddressKind.P2pkh), 10_000);
        for (var i = 0; i < 2_500; i++)
            builder.SpendRaw(new OutPoint(Hashes.Sha256([(byte)i, (byte)(i >> 8)]), 0), input => input);
        var psbt = builder.Pay(External, 9_000).Build();

        var error = SignFails(psbt);

        Assert.Equal("global.unsigned_tx", error.Field);
        Assert.Contains("standard limit", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_taproot_input_of_ours_needs_its_witness_utxo()
    {
        var path = Path(BitcoinAddressKind.P2tr);
        var builder = new TestPsbtBuilder(_keys);
        var pub = _keys.GetPublicKey(path);
        var previous = builder.Funding(new TxOutput(10_000, TestPsbtBuilder.ScriptFor(BitcoinAddressKind.P2tr, pub)));
        var psbt = builder
            .SpendRaw(new OutPoint(previous.TxHash, 1), input => input.WithNonWitnessUtxo(previous)
                .WithTapBip32Derivation(pub.AsSpan(1), [], new KeyOrigin(Fingerprint, path)))
            .Pay(External, 9_000).Build();

        Assert.Equal(1_000, _codec.Decode(psbt.ToBytes()).Fee);
        Assert.Equal("input[0].witness_utxo", SignFails(psbt).Field);
    }
}
