using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Tests.TestKit;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>
/// Random, truncated and mutated input (fixed seeds): the parsers and the codec either
/// succeed or throw InvalidInputException, never anything else, and whatever parses
/// serialises back to the same bytes.
/// </summary>
public class PsbtFuzzTests
{
    private static readonly PsbtCodec Codec = new(ChainRegistry.Get("btc"));

    private static List<byte[]> Corpus()
    {
        var json = VectorFile.Json("bip174-psbt.json");
        var corpus = json.GetProperty("valid").EnumerateArray().Select(v => VectorFile.Hex(v.GetProperty("hex").GetString()!)).ToList();
        foreach (var step in new[] { "creator", "updater", "signer_1", "combiner", "finalizer" })
            corpus.Add(VectorFile.Hex(json.GetProperty("workflow").GetProperty(step).GetProperty("expected_psbt").GetProperty("hex").GetString()!));
        using var keys = FixedKeyRing.Deterministic(0x1234abcd);
        var chain = ChainRegistry.Get("btc");
        var builder = new TestPsbtBuilder(keys);
        foreach (var kind in Enum.GetValues<BitcoinAddressKind>())
            builder.Spend(kind, PsbtCodecTests.PathFor(chain, kind, 0, 1), 10_000);
        var ours = builder.Change(BitcoinAddressKind.P2tr, PsbtCodecTests.PathFor(chain, BitcoinAddressKind.P2tr, 1, 0), 39_000).Build();
        corpus.Add(ours.ToBytes());
        corpus.Add(Codec.ParsePayload(Codec.Sign(ours.ToBytes(), keys, null).Payload));
        corpus.AddRange(ScriptPathPsbts());
        return corpus;
    }

    /// <summary>A 2-of-3 tr(NUMS, sortedmulti_a) PSBT: unsigned, with our tap_script_sig, with the cosigner's.</summary>
    private static byte[][] ScriptPathPsbts()
    {
        using var kit = new MultisigPsbts();
        using var cosigner = MultisigPsbts.CosignerRing();
        var descriptor = kit.Descriptor($"tr({MultisigPsbts.Nums},{{1}})");
        var codec = new PsbtCodec(ChainRegistry.Get("btc"), descriptor);
        var unsigned = kit.Build(descriptor).ToBytes();
        return [unsigned, codec.ParsePayload(codec.Sign(unsigned, kit.Ours, null).Payload), codec.ParsePayload(codec.Sign(unsigned, cosigner, null).Payload)];
    }

    /// <summary>
    /// Parse, and when it parses: round trip, decode and sign must not fail other than with
    /// InvalidInputException. Both steps count in their coverage.
    /// </summary>
    private static void Exercise(byte[] bytes, IKeyRing keys, FuzzCoverage parsing, FuzzCoverage codec)
    {
        if (!parsing.Try(() => Assert.Equal(bytes, PartiallySignedTransaction.Parse(bytes).ToBytes()))) return;
        codec.Try(() =>
        {
            Codec.Decode(bytes);
            Codec.Sign(bytes, keys, null);
        });
    }

    [Fact]
    public void Every_truncation_of_every_psbt_is_refused_cleanly()
    {
        using var keys = FixedKeyRing.Deterministic(0x1234abcd);
        var cases = 0;
        foreach (var psbt in Corpus())
            for (var length = 0; length < psbt.Length; length++, cases++)
                Assert.Throws<InvalidInputException>(() => PartiallySignedTransaction.Parse(psbt.AsSpan(0, length)));
        Assert.True(cases > 5_000, $"{cases} cases");
    }

    [Fact]
    public void Mutated_psbts_never_crash_and_round_trip_when_they_parse()
    {
        using var keys = FixedKeyRing.Deterministic(0x1234abcd);
        var random = new Random(174);
        var corpus = Corpus();
        var parsing = new FuzzCoverage("mutated PSBTs parsed");
        var codec = new FuzzCoverage("mutated PSBTs decoded and signed");
        for (var i = 0; i < 6_000; i++)
        {
            var bytes = (byte[])corpus[random.Next(corpus.Count)].Clone();
            var mutations = 1 + random.Next(4);
            for (var m = 0; m < mutations; m++)
            {
                var at = 5 + random.Next(bytes.Length - 5); // keep the magic, mutate the rest
                switch (random.Next(3))
                {
                    case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                    case 1: bytes[at] = (byte)random.Next(256); break;
                    default: bytes[at] = (byte)(random.Next(2) == 0 ? 0xfd + random.Next(3) : 0x00); break; // length-field edge values
                }
            }
            Exercise(bytes, keys, parsing, codec);
        }
        // Enough mutations parse to reach the codec, and some of those are then signed.
        parsing.AssertReached(minAccepted: 100, minRefused: 1000);
        codec.AssertReached(minAccepted: 5, minRefused: 10);
    }

    [Fact]
    public void Random_bytes_after_the_magic_or_spliced_into_a_psbt_never_crash()
    {
        using var keys = FixedKeyRing.Deterministic(0x1234abcd);
        var random = new Random(0xff);
        var noise = new FuzzCoverage("random bytes after the magic");
        var spliced = new FuzzCoverage("PSBTs with random bytes spliced in");
        var codec = new FuzzCoverage("random PSBTs decoded and signed");
        for (var i = 0; i < 4_000; i++)
        {
            var bytes = new byte[5 + random.Next(300)];
            random.NextBytes(bytes);
            new byte[] { 0x70, 0x73, 0x62, 0x74, 0xff }.CopyTo(bytes, 0);
            Exercise(bytes, keys, noise, codec);
        }
        // Pure noise never parses; random runs written over a real PSBT's bytes often do.
        var corpus = Corpus();
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = (byte[])corpus[random.Next(corpus.Count)].Clone();
            var at = 5 + random.Next(bytes.Length - 5);
            random.NextBytes(bytes.AsSpan(at, Math.Min(bytes.Length - at, 1 + random.Next(8))));
            Exercise(bytes, keys, spliced, codec);
        }
        noise.AssertReached(minAccepted: 0, minRefused: 3900);
        spliced.AssertReached(minAccepted: 100, minRefused: 100);
    }

    [Fact]
    public void Mutated_cosigner_psbts_combine_and_finalise_or_are_refused_cleanly()
    {
        // BIP174's two signers of 2-of-2 inputs: one PSBT mutated, then combined with the other and finalised.
        var workflow = VectorFile.Json("bip174-psbt.json").GetProperty("workflow");
        var signer1 = VectorFile.Hex(workflow.GetProperty("signer_1").GetProperty("expected_psbt").GetProperty("hex").GetString()!);
        var signer2 = VectorFile.Hex(workflow.GetProperty("signer_2").GetProperty("expected_psbt").GetProperty("hex").GetString()!);
        var testnet = new PsbtCodec(ChainRegistry.Get("btc-testnet"));
        var random = new Random(2026);
        var combining = new FuzzCoverage("mutated cosigner PSBTs combined");
        var finalising = new FuzzCoverage("combined PSBTs finalised");
        for (var i = 0; i < 3_000; i++)
        {
            var bytes = (byte[])signer1.Clone();
            var at = 5 + random.Next(bytes.Length - 5);
            bytes[at] ^= (byte)(1 << random.Next(8));
            PartiallySignedTransaction? combined = null;
            if (!combining.Try(() => combined = testnet.Combine([signer2, bytes]))) continue;
            finalising.Try(() => testnet.FinalizeAndExtract(combined!.ToBytes()));
        }
        // Flips in derivations or unknown bytes still combine and finalise; flips in signatures, scripts
        // and UTXOs are refused by the combiner's checks or by the finaliser's signature verification.
        combining.AssertReached(minAccepted: 300, minRefused: 300);
        finalising.AssertReached(minAccepted: 30, minRefused: 100);
    }

    [Fact]
    public void Mutated_taproot_script_path_psbts_sign_combine_and_finalise_or_are_refused_cleanly()
    {
        // The cosigner's signed 2-of-3 script-path PSBT, mutated; then we sign it (completing it when
        // it still verifies), and separately combine it with our own signed PSBT and finalise.
        using var kit = new MultisigPsbts();
        var descriptor = kit.Descriptor($"tr({MultisigPsbts.Nums},{{1}})");
        var codec = new PsbtCodec(ChainRegistry.Get("btc"), descriptor);
        var psbts = ScriptPathPsbts();
        var (ours, theirs) = (psbts[1], psbts[2]);
        var random = new Random(342);
        var signing = new FuzzCoverage("mutated script-path PSBTs signed");
        var combining = new FuzzCoverage("mutated script-path PSBTs combined");
        var finalising = new FuzzCoverage("combined script-path PSBTs finalised");
        var scriptPathWitnesses = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = (byte[])theirs.Clone();
            var at = 5 + random.Next(bytes.Length - 5);
            bytes[at] ^= (byte)(1 << random.Next(8));
            signing.Try(() => codec.Sign(bytes, kit.Ours, null));
            PartiallySignedTransaction? combined = null;
            if (!combining.Try(() => combined = codec.Combine([ours, bytes]))) continue;
            if (finalising.Try(() => combined = codec.FinalizeAndExtract(combined!.ToBytes()).Final))
                scriptPathWitnesses += combined!.Inputs.Count(input => input.FinalScriptWitness is { Count: 5 }); // 3 key slots, script, control block
        }
        // Flips in signatures, leaf scripts, control blocks and UTXOs are refused (by the combiner, the
        // control-block check or signature verification); flips elsewhere still finalise through the leaf.
        signing.AssertReached(minAccepted: 400, minRefused: 400);
        combining.AssertReached(minAccepted: 300, minRefused: 600);
        finalising.AssertReached(minAccepted: 150, minRefused: 150);
        Assert.True(scriptPathWitnesses >= 300, $"{scriptPathWitnesses} script-path witnesses built");
    }

    [Fact]
    public void Huge_length_and_count_fields_are_refused_without_allocating()
    {
        byte[][] hostile =
        [
            [0x70, 0x73, 0x62, 0x74, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // key length 2^63-1
            [0x70, 0x73, 0x62, 0x74, 0xff, 0x01, 0x00, 0xfe, 0xff, 0xff, 0xff, 0xff], // value length 2^32-1
            // unsigned tx claiming 2^32-1 inputs
            [0x70, 0x73, 0x62, 0x74, 0xff, 0x01, 0x00, 0x0a, 0x02, 0x00, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
            [0x70, 0x73, 0x62, 0x74, 0xff, 0x01, 0x00, 0xfd, 0x01, 0x00], // non-minimal CompactSize
        ];
        foreach (var bytes in hostile)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Throws<InvalidInputException>(() => PartiallySignedTransaction.Parse(bytes));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
        }
    }

    [Fact]
    public void Random_and_truncated_transactions_never_crash_the_transaction_parser()
    {
        var random = new Random(144);
        var signed = VectorFile.Json("bip143-segwit-v0-sighash.json").GetProperty("examples").EnumerateArray()
            .Select(e => VectorFile.Hex(e.GetProperty("signed_tx").GetString()!)).ToList();
        foreach (var tx in signed)
        {
            for (var length = 0; length < tx.Length; length++)
                Assert.Throws<InvalidInputException>(() => BitcoinTransaction.Parse(tx.AsSpan(0, length)));
            Assert.Equal(tx, BitcoinTransaction.Parse(tx).ToBytes());
        }
        var coverage = new FuzzCoverage("mutated transactions");
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = (byte[])signed[random.Next(signed.Count)].Clone();
            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            coverage.Try(() => Assert.Equal(bytes, BitcoinTransaction.Parse(bytes).ToBytes()));
        }
        coverage.AssertReached(minAccepted: 1000, minRefused: 100);
    }
}
