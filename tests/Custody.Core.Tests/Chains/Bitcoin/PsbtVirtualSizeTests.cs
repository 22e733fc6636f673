using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Policy;
using Custody.Core.Tests.TestKit;
using static Custody.Core.Tests.Chains.Bitcoin.PsbtCodecTests;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>The "vsize:N" note: a lower bound on the signed transaction's real vsize, or no note at all.</summary>
public class PsbtVirtualSizeTests
{
    private static readonly Chain Btc = ChainRegistry.Get("btc");

    [Fact]
    public void A_mix_of_every_kind_is_bounded_from_below_by_at_most_a_few_bytes()
    {
        using var keys = FixedKeyRing.Deterministic(0x1234abcd);
        var builder = new TestPsbtBuilder(keys);
        foreach (var kind in Enum.GetValues<BitcoinAddressKind>())
            builder.Spend(kind, PathFor(Btc, kind, 0, 3), 10_000);
        // an explicit sighash type makes the Schnorr signature 65 bytes; the bound follows
        builder.Spend(BitcoinAddressKind.P2tr, PathFor(Btc, BitcoinAddressKind.P2tr, 0, 4), 10_000, i => i.WithSighashType(0x01));
        var psbt = builder.Pay(BitcoinScript.P2wpkh(new byte[20]), 30_000).Change(BitcoinAddressKind.P2tr, PathFor(Btc, BitcoinAddressKind.P2tr, 1, 0), 19_000).Build();
        var codec = new PsbtCodec(Btc);

        var estimate = Assert.IsType<long>(codec.Decode(psbt.ToBytes()).VirtualSize);
        var signed = codec.Sign(psbt.ToBytes(), keys, null);
        var real = VirtualSize(PartiallySignedTransaction.ParseBase64(signed.Payload).ExtractTransaction());

        // three ECDSA signatures, each at most 3 bytes above the bound: 3 × 4 WU (P2PKH, scriptSig) + 2 × 3 WU
        Assert.InRange(real - estimate, 0, 5);
    }

    [Fact]
    public void An_input_of_unknown_final_size_leaves_the_note_out()
    {
        using var keys = FixedKeyRing.Deterministic(0x1234abcd);
        var p2wsh = BitcoinScript.Witness(0, new byte[32]); // its witness script and signatures are unknown
        var psbt = new TestPsbtBuilder(keys)
            .Spend(BitcoinAddressKind.P2wpkh, PathFor(Btc, BitcoinAddressKind.P2wpkh, 0, 0), 10_000)
            .SpendRaw(new OutPoint(new byte[32], 3), i => i.WithWitnessUtxo(new TxOutput(10_000, p2wsh)))
            .Pay(BitcoinScript.P2wpkh(new byte[20]), 19_000).Build();

        var intent = new PsbtCodec(Btc).Decode(psbt.ToBytes());

        Assert.Null(intent.VirtualSize);
        Assert.DoesNotContain(intent.Notes, n => n.StartsWith("vsize:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_finalised_taproot_input_counts_as_its_key_path_and_another_finalised_kind_as_given()
    {
        using var keys = FixedKeyRing.Deterministic(0x1234abcd);
        var p2tr = BitcoinScript.P2tr(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray());
        var p2wsh = BitcoinScript.Witness(0, new byte[32]);
        long Estimate(byte[] spentScript, byte[][] finalWitness)
        {
            var psbt = new TestPsbtBuilder(keys)
                .Spend(BitcoinAddressKind.P2wpkh, PathFor(Btc, BitcoinAddressKind.P2wpkh, 0, 0), 10_000)
                .SpendRaw(new OutPoint(new byte[32], 3), i => i.WithWitnessUtxo(new TxOutput(10_000, spentScript)).Finalized([], finalWitness))
                .Pay(BitcoinScript.P2wpkh(new byte[20]), 19_000).Build();
            var vsize = Assert.IsType<long>(new PsbtCodec(Btc).Decode(psbt.ToBytes()).VirtualSize);
            return vsize;
        }

        // a script-path witness (signature, 100-byte script, control block) could be swapped for a
        // 64-byte key-path signature by the input's owner after we sign: it counts as the latter
        Assert.Equal(Estimate(p2tr, [new byte[64]]), Estimate(p2tr, [new byte[64], new byte[100], new byte[33]]));
        // a P2WSH witness counts as given: 400 more witness bytes are 100 more vbytes
        Assert.Equal(Estimate(p2wsh, [new byte[300]]) + 100, Estimate(p2wsh, [new byte[700]]));
    }

    [Fact]
    public void A_legacy_only_transaction_has_no_witness_discount()
    {
        using var keys = FixedKeyRing.Deterministic(0x1234abcd);
        var psbt = new TestPsbtBuilder(keys)
            .Spend(BitcoinAddressKind.P2pkh, PathFor(Btc, BitcoinAddressKind.P2pkh, 0, 0), 10_000)
            .Pay(BitcoinScript.P2pkh(new byte[20]), 9_000).Build();

        var vsize = Assert.IsType<long>(new PsbtCodec(Btc).Decode(psbt.ToBytes()).VirtualSize);

        // version 4 + 1 input (36 outpoint + 1 + 104 scriptSig + 4 sequence) + 1 output (8 + 1 + 25) + 1 count each + locktime 4
        Assert.Equal(4 + 1 + 36 + 1 + 104 + 4 + 1 + 8 + 1 + 25 + 4, vsize);
    }
}
