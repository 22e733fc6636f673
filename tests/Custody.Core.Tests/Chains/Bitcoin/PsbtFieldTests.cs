using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>The BIP371 taproot fields, proprietary and unknown fields, and what a version 0 PSBT must not carry.</summary>
public class PsbtFieldTests
{
    private static readonly byte[] XOnly = Secp256k1.GetXOnlyPublicKey(Hashes.Sha256("taproot"u8));
    private static readonly byte[] LeafHash = Hashes.Sha256("leaf"u8);
    private static readonly KeyOrigin Origin = new(0xd90c6a4f, KeyPath.Parse("m/86'/0'/0'/0/1"));

    private static PartiallySignedTransaction Empty() => PartiallySignedTransaction.Create(new BitcoinTransaction(2,
        [new TxInput(new OutPoint(Hashes.Sha256("prev"u8), 0), [], 0xffffffff)], [new TxOutput(1_000, BitcoinScript.P2tr(XOnly))], 0));

    [Fact]
    public void Every_taproot_field_is_read_back_and_serialised_unchanged()
    {
        PsbtTapTreeLeaf[] tree = [new(1, 0xc0, new byte[] { 0x51 }), new(2, 0xc0, new byte[] { 0x52 }), new(2, 0xc2, new byte[] { 0x53, 0x54 })];
        byte[] control = [0xc1, .. XOnly, .. LeafHash];
        var psbt = Empty();
        psbt = psbt.WithInput(psbt.Inputs[0]
            .WithWitnessUtxo(new TxOutput(2_000, BitcoinScript.P2tr(XOnly)))
            .WithTapKeySignature(new byte[64])
            .With(PsbtKeyValue.Create(PsbtInputKey.TapScriptSig, [.. XOnly, .. LeafHash], [.. new byte[64], 0x83]))
            .With(PsbtKeyValue.Create(PsbtInputKey.TapLeafScript, control, [0x51, 0xc0]))
            .WithTapBip32Derivation(XOnly, [LeafHash], Origin)
            .WithTapInternalKey(XOnly)
            .WithTapMerkleRoot(LeafHash)
            .With(PsbtKeyValue.Create(PsbtInputKey.Proprietary, [0x03, .. "abc"u8, 0x05, 0x99], [1, 2, 3]))
            .With(PsbtKeyValue.Create(0x42, [7], [8])));
        psbt = psbt.WithOutput(psbt.Outputs[0].WithTapInternalKey(XOnly).WithTapTree(tree).WithTapBip32Derivation(XOnly, [], Origin));

        var parsed = PartiallySignedTransaction.Parse(psbt.ToBytes());

        Assert.Equal(psbt.ToBytes(), parsed.ToBytes());
        var input = parsed.Inputs[0];
        Assert.Equal(64, input.TapKeySignature!.Value.Length);
        var scriptSig = Assert.Single(input.TapScriptSignatures);
        Assert.Equal(XOnly, scriptSig.XOnlyKey.ToArray());
        Assert.Equal(LeafHash, scriptSig.LeafHash.ToArray());
        Assert.Equal(0x83, scriptSig.Signature.Span[^1]);
        var leaf = Assert.Single(input.TapLeafScripts);
        Assert.Equal(control, leaf.ControlBlock.ToArray());
        Assert.Equal([0x51], leaf.Script.ToArray());
        Assert.Equal(0xc0, leaf.LeafVersion);
        var derivation = Assert.Single(input.TapBip32Derivations);
        Assert.Equal(Origin, derivation.Origin);
        Assert.Equal(LeafHash, Assert.Single(derivation.LeafHashes).ToArray());
        Assert.Equal(XOnly, input.TapInternalKey!.Value.ToArray());
        Assert.Equal(LeafHash, input.TapMerkleRoot!.Value.ToArray());
        Assert.Equal([0x42ul, PsbtInputKey.Proprietary], input.Unknown.Select(u => u.KeyType)); // inserted in key order
        var output = parsed.Outputs[0];
        Assert.Equal(tree.Select(l => (l.Depth, l.LeafVersion, Convert.ToHexString(l.Script.Span))),
            output.TapTree!.Select(l => (l.Depth, l.LeafVersion, Convert.ToHexString(l.Script.Span))));
        var expectedRoot = Taproot.BranchHash(Taproot.LeafHash(0xc0, [0x51]), Taproot.BranchHash(Taproot.LeafHash(0xc0, [0x52]), Taproot.LeafHash(0xc2, [0x53, 0x54])));
        Assert.Equal(expectedRoot, output.TapMerkleRoot!.Value.ToArray());
        Assert.Empty(Assert.Single(output.TapBip32Derivations).LeafHashes);
    }

    public static TheoryData<string, byte, byte[], byte[]> MalformedInputFields() => new()
    {
        { "input[0].tap_key_sig", PsbtInputKey.TapKeySig, [], new byte[63] },
        { "input[0].tap_key_sig", PsbtInputKey.TapKeySig, [], [.. new byte[64], 0x00] },
        { "input[0].tap_script_sig", PsbtInputKey.TapScriptSig, new byte[63], new byte[64] },
        { "input[0].tap_leaf_script", PsbtInputKey.TapLeafScript, new byte[34], [0x51, 0xc0] },
        { "input[0].tap_leaf_script", PsbtInputKey.TapLeafScript, new byte[33], [] },
        { "input[0].tap_bip32_derivation", PsbtInputKey.TapBip32Derivation, new byte[32], [0x05, 1, 2, 3] },
        { "input[0].tap_bip32_derivation", PsbtInputKey.TapBip32Derivation, new byte[31], [0x00, 1, 2, 3, 4] },
        { "input[0].tap_internal_key", PsbtInputKey.TapInternalKey, [], new byte[31] },
        { "input[0].tap_merkle_root", PsbtInputKey.TapMerkleRoot, [1], new byte[32] },
        { "input[0].sha256", PsbtInputKey.Sha256, new byte[32], [1, 2, 3] }, // preimage does not hash to the key
        { "input[0].previous_txid", PsbtInputKey.PreviousTxid, [], new byte[32] }, // PSBTv2 only
        { "input[0].proprietary.identifier", PsbtInputKey.Proprietary, [0x05, 0x61], [] }, // identifier longer than the key
        { "input[0].bip32_derivation", PsbtInputKey.Bip32Derivation, [0x02, .. new byte[32]], [1, 2, 3, 4] }, // not a point
        { "input[0].bip32_derivation", PsbtInputKey.Bip32Derivation, Secp256k1.GetPublicKey(Hashes.Sha256("k"u8)), [1, 2, 3] },
    };

    [Theory]
    [MemberData(nameof(MalformedInputFields))]
    public void Malformed_input_fields_are_refused_naming_them(string field, byte type, byte[] keyData, byte[] value)
    {
        var psbt = Empty();
        var bytes = psbt.WithInput(new PsbtInput(0, psbt.Inputs[0].Map)).ToBytes();
        var entry = PsbtKeyValue.Create(type, keyData, value);
        var raw = Splice(bytes, entry, afterMaps: 1);

        Assert.Equal(field, Assert.Throws<InvalidInputException>(() => PartiallySignedTransaction.Parse(raw)).Field);
    }

    [Fact]
    public void A_tap_tree_that_is_not_a_complete_tree_is_refused()
    {
        var psbt = Empty();
        // Depths 1, 2: the second branch at depth 2 has no sibling.
        var entry = PsbtKeyValue.Create(PsbtOutputKey.TapTree, [], [1, 0xc0, 1, 0x51, 2, 0xc0, 1, 0x52]);
        var raw = Splice(psbt.ToBytes(), entry, afterMaps: 2);

        Assert.Equal("output[0].tap_tree", Assert.Throws<InvalidInputException>(() => PartiallySignedTransaction.Parse(raw)).Field);
    }

    [Theory]
    [InlineData(PsbtGlobalKey.Version, new byte[] { 2, 0, 0, 0 })]
    [InlineData(PsbtGlobalKey.TxVersion, new byte[] { 2, 0, 0, 0 })]
    [InlineData(PsbtGlobalKey.InputCount, new byte[] { 1 })]
    public void Version_2_psbts_and_their_fields_are_refused(byte type, byte[] value)
    {
        var raw = Splice(Empty().ToBytes(), PsbtKeyValue.Create(type, [], value), afterMaps: 0);

        var error = Assert.Throws<InvalidInputException>(() => PartiallySignedTransaction.Parse(raw));

        Assert.StartsWith("global.", error.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_version_0_is_kept()
    {
        var raw = Splice(Empty().ToBytes(), PsbtKeyValue.Create(PsbtGlobalKey.Version, [], [0, 0, 0, 0]), afterMaps: 0);

        var psbt = PartiallySignedTransaction.Parse(raw);

        Assert.Equal(0u, psbt.Global.Version);
        Assert.Equal(raw, psbt.ToBytes());
    }

    [Fact]
    public void Combiner_vectors_with_unknown_keys_round_trip()
    {
        var v = VectorFile.Json("bip174-psbt.json").GetProperty("combiner_unknown_keys");
        foreach (var psbt in v.GetProperty("inputs").EnumerateArray().Append(v.GetProperty("expected_combined")))
        {
            var hex = psbt.GetProperty("hex").GetString()!;
            var parsed = PartiallySignedTransaction.Parse(VectorFile.Hex(hex));
            Assert.Equal(hex, VectorFile.ToHex(parsed.ToBytes()));
            Assert.NotEmpty(parsed.Global.Unknown.Concat(parsed.Inputs.SelectMany(i => i.Unknown)).Concat(parsed.Outputs.SelectMany(o => o.Unknown)));
        }
    }

    // Inserts one raw entry at the start of map number afterMaps (0 = global), bypassing the typed checks.
    private static byte[] Splice(byte[] psbt, PsbtKeyValue entry, int afterMaps)
    {
        var position = 5;
        for (var map = 0; map < afterMaps; map++)
        {
            while (psbt[position] != 0)
            {
                position += 1 + psbt[position]; // key (short lengths only in these tests)
                position += SkipVarBytes(psbt, position);
            }
            position++;
        }
        var bytes = new List<byte>(psbt[..position]);
        bytes.Add((byte)entry.Key.Length);
        bytes.AddRange(entry.Key.ToArray());
        bytes.Add((byte)entry.Value.Length);
        bytes.AddRange(entry.Value.ToArray());
        bytes.AddRange(psbt[position..]);
        return [.. bytes];
    }

    private static int SkipVarBytes(byte[] data, int position) => data[position] switch
    {
        < 0xfd => 1 + data[position],
        0xfd => 3 + (data[position + 1] | (data[position + 2] << 8)),
        _ => throw new InvalidOperationException("test PSBTs are small"),
    };
}
