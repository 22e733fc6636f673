using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.Core.Hd.Bip39;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>The codec with the production HD key ring: BIP84/BIP86 example wallets and the BIP174 workflow's master seed.</summary>
public class PsbtHdKeyRingTests
{
    private static HdKeyRing AbandonAbout()
    {
        var json = VectorFile.Json("bip44-49-84-86-examples.json");
        using var mnemonic = Mnemonic.Parse(json.GetProperty("mnemonic").GetString()!);
        using var seed = mnemonic.ToSeed(json.GetProperty("passphrase").GetString()!);
        return new HdKeyRing(seed, KeyCurve.Secp256k1);
    }

    [Theory]
    [InlineData("bip84_mainnet", BitcoinAddressKind.P2wpkh)]
    [InlineData("bip86_mainnet", BitcoinAddressKind.P2tr)]
    public void Spending_from_the_bip_example_addresses_names_them_as_sources(string group, BitcoinAddressKind kind)
    {
        var example = VectorFile.Json("bip44-49-84-86-examples.json").GetProperty(group).GetProperty("addresses")[0];
        var path = KeyPath.Parse(example.GetProperty("path").GetString()!);
        using var keys = AbandonAbout();
        var chain = ChainRegistry.Get("btc");
        var pub = keys.GetPublicKey(path);
        var script = BitcoinAddress.ToScriptPubKey(example.GetProperty("address").GetString()!, BitcoinFamily.NetworkOf(chain));
        Assert.Equal(kind, SingleKeyScript.Match(script, pub));
        var origin = new KeyOrigin(keys.MasterFingerprint!.Value, path);
        var previous = new BitcoinTransaction(2, [new TxInput(new OutPoint(new byte[32], 0), [0x51], 0xffffffff)], [new TxOutput(50_000, script)], 0);
        var psbt = PartiallySignedTransaction.Create(new BitcoinTransaction(2,
            [new TxInput(new OutPoint(previous.TxHash, 0), [], 0xfffffffd)], [new TxOutput(49_000, BitcoinScript.P2wpkh(new byte[20]))], 0));
        var input = psbt.Inputs[0].WithWitnessUtxo(previous.Outputs[0]);
        input = kind == BitcoinAddressKind.P2tr
            ? input.WithTapInternalKey(pub.AsSpan(1)).WithTapBip32Derivation(pub.AsSpan(1), [], origin)
            : input.WithBip32Derivation(pub, origin);
        psbt = psbt.WithInput(input);

        var signed = new PsbtCodec(chain).Sign(psbt.ToBytes(), keys, KeyPath.Parse(example.GetProperty("path").GetString()![..11]));

        Assert.Equal([example.GetProperty("address").GetString()!], signed.Intent.Sources);
        var tx = PartiallySignedTransaction.ParseBase64(signed.Payload).ExtractTransaction();
        SignatureChecker.AssertValid(tx, [previous.Outputs[0]]);
    }

    [Fact]
    public void The_workflow_wallet_checks_its_change_signs_every_multisig_key_and_finalises()
    {
        var workflow = VectorFile.Json("bip174-psbt.json").GetProperty("workflow");
        using var seed = SecretBytes.CopyFrom(VectorFile.Hex(workflow.GetProperty("master_seed_payload_hex").GetString()!));
        using var keys = new HdKeyRing(seed, KeyCurve.Secp256k1);
        using (var master = ExtendedPrivateKey.FromSeed(seed.Span))
            Assert.Equal(workflow.GetProperty("master_tprv").GetString(), master.ToBase58(ExtendedKeyVersion.Tpub));
        Assert.Equal(0xd90c6a4fu, keys.MasterFingerprint);
        var bytes = VectorFile.Hex(workflow.GetProperty("updater_add_sighash_all").GetProperty("expected_psbt").GetProperty("hex").GetString()!);
        var codec = new PsbtCodec(ChainRegistry.Get("btc-testnet"));

        var signed = codec.Sign(bytes, keys, null);

        // Both outputs pass as change (P2WPKH of the wallet's keys at m/0'/0'/4' and 5'); the
        // wallet holds both keys of each 2-of-2 input, so its signatures complete the transaction:
        // the BIP's final PSBT and network transaction.
        Assert.All(signed.Intent.Outputs, o => Assert.True(o.IsChange));
        Assert.All(signed.Inputs, i => Assert.Equal((true, 0), (i.SignedNow, i.SignaturesMissing)));
        Assert.Equal(workflow.GetProperty("finalizer").GetProperty("expected_psbt").GetProperty("hex").GetString(),
            VectorFile.ToHex(PartiallySignedTransaction.ParseBase64(signed.Payload).ToBytes()));
        Assert.Equal(workflow.GetProperty("extractor").GetProperty("expected_tx_hex").GetString(),
            PartiallySignedTransaction.ParseBase64(signed.Payload).ExtractTransaction().ToHex());
    }
}
