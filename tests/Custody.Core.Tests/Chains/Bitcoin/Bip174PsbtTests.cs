using Custody.Core.Chains.Bitcoin.Psbt;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>BIP174 "Test Vectors": every invalid PSBT refused with a reason, every valid one round-tripped.</summary>
public class Bip174PsbtTests
{
    private const string File = "bip174-psbt.json";

    public static TheoryData<int> InvalidIndexes() => Indexes("invalid");

    public static TheoryData<int> ValidIndexes() => Indexes("valid");

    private static TheoryData<int> Indexes(string group) =>
        [.. Enumerable.Range(0, VectorFile.Json(File).GetProperty(group).GetArrayLength())];

    [Theory]
    [MemberData(nameof(InvalidIndexes))]
    public void Invalid_psbts_are_refused_with_a_named_field(int index)
    {
        var v = VectorFile.Json(File).GetProperty("invalid")[index];
        var bytes = VectorFile.Hex(v.GetProperty("hex").GetString()!);

        var error = Assert.Throws<InvalidInputException>(() => PartiallySignedTransaction.Parse(bytes));
        var viaBase64 = Assert.Throws<InvalidInputException>(() => PartiallySignedTransaction.ParseBase64(v.GetProperty("base64").GetString()!));

        Assert.False(string.IsNullOrEmpty(error.Field));
        Assert.False(string.IsNullOrEmpty(error.Reason));
        Assert.Equal(error.Message, viaBase64.Message);
        Assert.Equal(ExpectedField(v.GetProperty("description").GetString()!), error.Field);
    }

    // What each BIP174 invalid vector is about, as the field our parser names.
    private static string ExpectedField(string description) => description switch
    {
        "Network transaction, not PSBT format" => "psbt",
        "PSBT missing outputs" => "output[0]",
        "PSBT where one input has a filled scriptSig in the unsigned tx" => "global.unsigned_tx",
        "PSBT where inputs and outputs are provided but without an unsigned tx" => "global.unsigned_tx",
        "PSBT with duplicate keys in an input" => "input[0].non_witness_utxo",
        "PSBT with invalid global transaction typed key" => "global.unsigned_tx",
        "PSBT with invalid input witness utxo typed key" => "input[0].witness_utxo",
        "PSBT with invalid pubkey length for input partial signature typed key" => "input[0].partial_sig",
        "PSBT with invalid redeemscript typed key" => "input[0].redeem_script",
        "PSBT with invalid witnessscript typed key" => "input[0].witness_script",
        "PSBT with invalid pubkey in input BIP 32 derivation paths typed key" => "input[0].bip32_derivation",
        "PSBT with invalid non-witness utxo typed key" => "input[0].non_witness_utxo",
        "PSBT with invalid final scriptsig typed key" => "input[0].final_scriptsig",
        "PSBT with invalid final script witness typed key" => "input[1].final_scriptwitness",
        "PSBT with invalid pubkey in output BIP 32 derivation paths typed key" => "output[0].bip32_derivation",
        "PSBT with invalid input sighash type typed key" => "input[0].sighash_type",
        "PSBT with invalid output redeemScript typed key" => "output[0].redeem_script",
        "PSBT with invalid output witnessScript typed key" => "output[1].witness_script",
        "PSBT with unsigned tx serialized with witness serialization format" => "global.unsigned_tx",
        "PSBT with an invalid value data due to its size being not the stated size" => "global.unsigned_tx",
        _ => throw new InvalidOperationException("unknown vector " + description),
    };

    [Theory]
    [MemberData(nameof(ValidIndexes))]
    public void Valid_psbts_parse_and_serialise_back_byte_for_byte(int index)
    {
        var v = VectorFile.Json(File).GetProperty("valid")[index];
        var hex = v.GetProperty("hex").GetString()!;
        var base64 = v.GetProperty("base64").GetString()!;

        var psbt = PartiallySignedTransaction.Parse(VectorFile.Hex(hex));

        Assert.Equal(hex, VectorFile.ToHex(psbt.ToBytes()));
        Assert.Equal(base64, PartiallySignedTransaction.ParseBase64(base64).ToBase64());
        Assert.Equal(psbt.UnsignedTransaction.Inputs.Count, psbt.Inputs.Count);
        Assert.Equal(psbt.UnsignedTransaction.Outputs.Count, psbt.Outputs.Count);
    }
}
