using System.Text.Json;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Sighash;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>BIP341 wallet-test-vectors.json: every keyPathSpending input (sighash and signature) and every scriptPubKey.</summary>
public class Bip341SighashTests
{
    private const string File = "bip341-wallet.json";

    public static TheoryData<int> KeyPathInputs() =>
        [.. Enumerable.Range(0, VectorFile.Json(File).GetProperty("keyPathSpending")[0].GetProperty("inputSpending").GetArrayLength())];

    public static TheoryData<int> ScriptPubKeys() => [.. Enumerable.Range(0, VectorFile.Json(File).GetProperty("scriptPubKey").GetArrayLength())];

    private static (BitcoinTransaction Tx, TaprootSighash Sighash, JsonElement Spending) Load()
    {
        var spending = VectorFile.Json(File).GetProperty("keyPathSpending")[0];
        var given = spending.GetProperty("given");
        var tx = BitcoinTransaction.ParseHex(given.GetProperty("rawUnsignedTx").GetString()!);
        var spent = given.GetProperty("utxosSpent").EnumerateArray()
            .Select(u => new TxOutput(u.GetProperty("amountSats").GetInt64(), VectorFile.Hex(u.GetProperty("scriptPubKey").GetString()!)))
            .ToList();
        return (tx, new TaprootSighash(tx, spent), spending);
    }

    [Fact]
    public void Transaction_wide_hashes_match()
    {
        var (_, sighash, spending) = Load();
        var expected = spending.GetProperty("intermediary");

        Assert.Equal(expected.GetProperty("hashPrevouts").GetString(), VectorFile.ToHex(sighash.ShaPrevouts));
        Assert.Equal(expected.GetProperty("hashAmounts").GetString(), VectorFile.ToHex(sighash.ShaAmounts));
        Assert.Equal(expected.GetProperty("hashScriptPubkeys").GetString(), VectorFile.ToHex(sighash.ShaScriptPubKeys));
        Assert.Equal(expected.GetProperty("hashSequences").GetString(), VectorFile.ToHex(sighash.ShaSequences));
        Assert.Equal(expected.GetProperty("hashOutputs").GetString(), VectorFile.ToHex(sighash.ShaOutputs));
    }

    [Theory]
    [MemberData(nameof(KeyPathInputs))]
    public void Key_path_sighash_and_signature_match(int index)
    {
        var (_, sighash, spending) = Load();
        var v = spending.GetProperty("inputSpending")[index];
        var given = v.GetProperty("given");
        var expected = v.GetProperty("intermediary");
        var inputIndex = given.GetProperty("txinIndex").GetInt32();
        var hashType = (uint)given.GetProperty("hashType").GetInt32();
        var merkleRoot = given.GetProperty("merkleRoot").ValueKind == JsonValueKind.Null
            ? [] : VectorFile.Hex(given.GetProperty("merkleRoot").GetString()!);
        var key = VectorFile.Hex(given.GetProperty("internalPrivkey").GetString()!);

        Assert.Equal(expected.GetProperty("sigMsg").GetString(), VectorFile.ToHex(sighash.KeyPathMessage(inputIndex, hashType)));
        var digest = sighash.ComputeKeyPath(inputIndex, hashType);
        Assert.Equal(expected.GetProperty("sigHash").GetString(), VectorFile.ToHex(digest));

        Assert.Equal(expected.GetProperty("internalPubkey").GetString(), VectorFile.ToHex(Secp256k1.GetXOnlyPublicKey(key)));
        var tweaked = new byte[32];
        Secp256k1.TaprootTweakPrivateKey(key, merkleRoot, tweaked);
        Assert.Equal(expected.GetProperty("tweakedPrivkey").GetString(), VectorFile.ToHex(tweaked));
        // The vectors sign with 32 zero bytes of auxiliary randomness.
        var signature = Secp256k1.SignSchnorr(tweaked, digest, new byte[32]);
        byte[] witness = hashType == SighashType.Default ? signature : [.. signature, (byte)hashType];
        Assert.Equal(v.GetProperty("expected").GetProperty("witness")[0].GetString(), VectorFile.ToHex(witness));
    }

    [Fact]
    public void Sighash_types_outside_bip341_are_refused()
    {
        var (_, sighash, _) = Load();
        foreach (var type in new uint[] { 0x04, 0x80, 0x84, 0x100 })
            Assert.Throws<InvalidInputException>(() => sighash.ComputeKeyPath(0, type));
    }

    [Theory]
    [MemberData(nameof(ScriptPubKeys))]
    public void Script_trees_hash_to_the_merkle_root_and_tweak_to_the_output_key(int index)
    {
        var v = VectorFile.Json(File).GetProperty("scriptPubKey")[index];
        var given = v.GetProperty("given");
        var expected = v.GetProperty("intermediary");
        var leafHashes = new List<string>();
        byte[] root = given.GetProperty("scriptTree").ValueKind == JsonValueKind.Null ? [] : TreeHash(given.GetProperty("scriptTree"), leafHashes);

        if (expected.TryGetProperty("leafHashes", out var leaves))
            Assert.Equal(leaves.EnumerateArray().Select(l => l.GetString()), leafHashes);
        Assert.Equal(expected.GetProperty("merkleRoot").ValueKind == JsonValueKind.Null ? "" : expected.GetProperty("merkleRoot").GetString(), VectorFile.ToHex(root));
        var outputKey = Secp256k1.TaprootOutputKey(VectorFile.Hex(given.GetProperty("internalPubkey").GetString()!), root);
        Assert.Equal(expected.GetProperty("tweakedPubkey").GetString(), VectorFile.ToHex(outputKey));
        Assert.Equal(v.GetProperty("expected").GetProperty("scriptPubKey").GetString(), VectorFile.ToHex(BitcoinScript.P2tr(outputKey)));
    }

    [Theory]
    [MemberData(nameof(ScriptPubKeys))]
    public void Control_blocks_commit_each_leaf_to_the_output_key_and_nothing_else(int index)
    {
        var v = VectorFile.Json(File).GetProperty("scriptPubKey")[index];
        if (!v.GetProperty("expected").TryGetProperty("scriptPathControlBlocks", out var blocks)) return; // a key-path-only output
        var leaves = new List<PsbtTapTreeLeaf>();
        TreeHash(v.GetProperty("given").GetProperty("scriptTree"), [], leaves);
        var outputKey = VectorFile.Hex(v.GetProperty("intermediary").GetProperty("tweakedPubkey").GetString()!);
        var controlBlocks = blocks.EnumerateArray().Select(b => VectorFile.Hex(b.GetString()!)).ToList();
        // Built from the internal key and the leaves with their depths, as an updater would.
        var internalKey = VectorFile.Hex(v.GetProperty("given").GetProperty("internalPubkey").GetString()!);
        Assert.Equal(controlBlocks, Taproot.ControlBlocks(internalKey, leaves, "tree"));
        for (var i = 0; i < leaves.Count; i++)
        {
            var (version, script) = (leaves[i].LeafVersion, leaves[i].Script.ToArray());
            var block = controlBlocks[i];
            Assert.True(Taproot.ControlBlockCommits(block, version, script, outputKey), $"leaf {i}");
            // The stated parity, a path step, another leaf's script, and another output key all break the commitment.
            byte[] parity = [(byte)(block[0] ^ 1), .. block[1..]];
            Assert.False(Taproot.ControlBlockCommits(parity, version, script, outputKey));
            if (block.Length > 33)
            {
                var path = (byte[])block.Clone();
                path[^1] ^= 1;
                Assert.False(Taproot.ControlBlockCommits(path, version, script, outputKey));
            }
            Assert.False(Taproot.ControlBlockCommits(block, version, [.. script, 0x51], outputKey));
            Assert.False(Taproot.ControlBlockCommits(block, version, script, Secp256k1.TaprootOutputKey(outputKey, [])));
        }
    }

    // The vectors' trees are a leaf object or a two-element array of subtrees; leaves are collected depth-first with their depths.
    private static byte[] TreeHash(JsonElement node, List<string> leafHashes, List<PsbtTapTreeLeaf>? leaves = null, byte depth = 0)
    {
        if (node.ValueKind == JsonValueKind.Array)
            return Taproot.BranchHash(TreeHash(node[0], leafHashes, leaves, (byte)(depth + 1)), TreeHash(node[1], leafHashes, leaves, (byte)(depth + 1)));
        var version = (byte)node.GetProperty("leafVersion").GetInt32();
        var script = VectorFile.Hex(node.GetProperty("script").GetString()!);
        var hash = Taproot.LeafHash(version, script);
        leafHashes.Add(VectorFile.ToHex(hash));
        leaves?.Add(new PsbtTapTreeLeaf(depth, version, script));
        return hash;
    }
}
