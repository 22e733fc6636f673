using Custody.Core.Chains.Bitcoin.Sighash;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>BIP143 "Example": native P2WPKH and P2SH-P2WPKH, every intermediate value and the signatures.</summary>
public class Bip143SighashTests
{
    private const string File = "bip143-segwit-v0-sighash.json";

    public static TheoryData<int> Examples() => [.. Enumerable.Range(0, VectorFile.Json(File).GetProperty("examples").GetArrayLength())];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Sighash_preimage_and_signature_match_the_bip(int index)
    {
        var v = VectorFile.Json(File).GetProperty("examples")[index];
        var tx = BitcoinTransaction.ParseHex(v.GetProperty("unsigned_tx").GetString()!);
        var signed = v.GetProperty("signed_input_index").GetInt32();
        var input = v.GetProperty("inputs").EnumerateArray().Single(i => i.GetProperty("index").GetInt32() == signed);
        var amount = input.GetProperty("amount_sat").GetInt64();
        var type = (uint)v.GetProperty("sighash_type").GetInt32();
        // scriptCode in the BIP carries its length prefix; ours does not.
        var scriptCode = VectorFile.Hex(v.GetProperty("scriptCode").GetString()!)[1..];

        var sighash = new SegwitV0Sighash(tx);

        Assert.Equal(v.GetProperty("hashPrevouts").GetString(), VectorFile.ToHex(sighash.HashPrevouts));
        Assert.Equal(v.GetProperty("hashSequence").GetString(), VectorFile.ToHex(sighash.HashSequence));
        Assert.Equal(v.GetProperty("hashOutputs").GetString(), VectorFile.ToHex(sighash.HashOutputs));
        Assert.Equal(v.GetProperty("sighash_preimage").GetString(), VectorFile.ToHex(sighash.Preimage(signed, scriptCode, amount, type)));
        var digest = sighash.Compute(signed, scriptCode, amount, type);
        Assert.Equal(v.GetProperty("sighash").GetString(), VectorFile.ToHex(digest));

        var key = VectorFile.Hex(input.GetProperty("private_key").GetString()!);
        Assert.Equal(input.GetProperty("public_key").GetString(), VectorFile.ToHex(Secp256k1.GetPublicKey(key)));
        var signature = Secp256k1.Sign(key, digest);
        Assert.Equal(v.GetProperty("signature_der_with_hashtype").GetString(), VectorFile.ToHex([.. signature.ToDer(), (byte)type]));
    }

    [Fact]
    public void The_legacy_p2pk_input_of_the_p2wpkh_example_signs_with_the_original_sighash()
    {
        var v = VectorFile.Json(File).GetProperty("examples")[0];
        var tx = BitcoinTransaction.ParseHex(v.GetProperty("unsigned_tx").GetString()!);
        var input = v.GetProperty("inputs")[0];
        var digest = LegacySighash.Compute(tx, 0, VectorFile.Hex(input.GetProperty("prev_scriptPubKey").GetString()!), SighashType.All);

        var signature = Secp256k1.Sign(VectorFile.Hex(input.GetProperty("private_key").GetString()!), digest);

        Assert.Equal(input.GetProperty("legacy_signature_der_with_hashtype").GetString(), VectorFile.ToHex([.. signature.ToDer(), SighashType.All]));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Signed_transactions_parse_and_serialise_back_with_txid_and_wtxid(int index)
    {
        var v = VectorFile.Json(File).GetProperty("examples")[index];
        var signedHex = v.GetProperty("signed_tx").GetString()!;
        var unsigned = BitcoinTransaction.ParseHex(v.GetProperty("unsigned_tx").GetString()!);

        var signed = BitcoinTransaction.ParseHex(signedHex);

        Assert.True(signed.HasWitness);
        Assert.Equal(signedHex, signed.ToHex());
        Assert.Equal(v.GetProperty("unsigned_tx").GetString(), unsigned.ToHex());
        // The txid hashes the serialisation without witness; the wtxid hashes all of it.
        Assert.Equal(OutPointHex(Hashes.Sha256d(signed.ToBytes(includeWitness: false))), signed.TxId);
        Assert.Equal(OutPointHex(Hashes.Sha256d(VectorFile.Hex(signedHex))), signed.WTxId);
        Assert.NotEqual(signed.TxId, signed.WTxId);
    }

    private static string OutPointHex(byte[] hash)
    {
        Array.Reverse(hash);
        return VectorFile.ToHex(hash);
    }
}
