using System.Globalization;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.V1;
using Grpc.Core;
using NB = NBitcoin;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class BitcoinSigningTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    private static string NewRequestId() => "req-" + Guid.NewGuid().ToString("N");

    private async Task<Wallet> NewHdWalletAsync(string name) =>
        await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = name, Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken));

    [Fact]
    public async Task A_psbt_input_of_the_wallet_is_signed_and_verifies_as_a_node_would_check_it()
    {
        var wallet = await NewHdWalletAsync("btc-cold");
        var address = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "btc", Index = 2 }, Signer);
        var (psbt, spent) = BitcoinPayloads.P2wpkhSpend(uint.Parse(wallet.MasterFingerprint, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            KeyPath.Parse(address.DerivationPath), Convert.FromHexString(address.PublicKey), 100_000, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", 90_000);

        var reply = await daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = NewRequestId(), WalletId = wallet.WalletId, Chain = "btc", Payload = psbt,
        }, Signer);

        var signed = PartiallySignedTransaction.ParseBase64(reply.SignedPayload);
        Assert.True(signed.IsFinalized);
        var tx = signed.ExtractTransaction();
        Assert.True(BitcoinPayloads.P2wpkhInputVerifies(tx, 0, spent));
        Assert.Equal(tx.TxId, reply.TxId);
        Assert.Equal("10000", reply.Intent.Fee);
    }

    [Fact]
    public async Task An_hsm_native_key_cosigns_multisig_inputs_it_is_named_in_by_public_key()
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "btc-native-cosigner", Kind = WalletKind.HsmNative, Curve = KeyCurve.Secp256K1, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken));
        var ours = Convert.FromHexString(wallet.PublicKey);
        using var cosigner = new NB.Key();
        using var third = new NB.Key();
        byte[][] keys = [ours, cosigner.PubKey.ToBytes(), third.PubKey.ToBytes()];
        Array.Sort(keys, (a, b) => a.AsSpan().SequenceCompareTo(b)); // sortedmulti
        byte[] multisig = [0x52, .. keys.SelectMany(k => BitcoinScript.Push(k)), 0x53, MultisigScript.OpCheckMultisig];
        var p2wsh = BitcoinScript.Witness(0, Hashes.Sha256(multisig));
        byte[][] spentScripts = [BitcoinScript.P2sh(Hashes.Hash160(multisig)), p2wsh, BitcoinScript.P2sh(Hashes.Hash160(p2wsh))];

        // One input per script kind; the coordinator names every key with its own idea of an origin (a foreign fingerprint).
        var funding = new BitcoinTransaction(2, [new TxInput(new OutPoint(Hashes.Sha256(ours), 0), [0x51], 0xffffffff)],
            [.. spentScripts.Select(s => new TxOutput(50_000, s))], 0);
        var spend = new BitcoinTransaction(2, [.. spentScripts.Select((_, i) => new TxInput(new OutPoint(funding.TxHash, (uint)i), [], 0xfffffffd))],
            [new TxOutput(140_000, PsbtSpend.To("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"))], 0);
        var psbt = PartiallySignedTransaction.Create(spend);
        for (var i = 0; i < spentScripts.Length; i++)
        {
            var input = psbt.Inputs[i].WithNonWitnessUtxo(funding);
            input = i switch
            {
                0 => input.WithRedeemScript(multisig),
                1 => input.WithWitnessUtxo(funding.Outputs[i]).WithWitnessScript(multisig),
                _ => input.WithWitnessUtxo(funding.Outputs[i]).WithRedeemScript(p2wsh).WithWitnessScript(multisig),
            };
            for (var k = 0; k < keys.Length; k++) input = input.WithBip32Derivation(keys[k], new KeyOrigin(0xc0ffee00 + (uint)k, KeyPath.Parse($"m/48'/0'/0'/2'/0/{k}")));
            psbt = psbt.WithInput(input);
        }

        var reply = await daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = NewRequestId(), WalletId = wallet.WalletId, Chain = "btc", Payload = psbt.ToBase64(),
        }, Signer);
        var signed = PartiallySignedTransaction.ParseBase64(reply.SignedPayload);
        Assert.All(signed.Inputs, input => Assert.Equal(ours, Assert.Single(input.PartialSignatures).PublicKey.ToArray()));

        // The cosigner is NBitcoin's signer; our combiner and finaliser; NBitcoin's interpreter checks every input.
        var theirs = NB.PSBT.Parse(psbt.ToBase64(), NB.Network.Main).SignWithKeys(cosigner);
        var codec = new Custody.Core.Chains.Bitcoin.PsbtCodec(Custody.Core.Chains.ChainRegistry.Get("btc"));
        var combined = codec.Combine([signed.ToBytes(), Convert.FromBase64String(theirs.ToBase64())]);
        var (_, tx) = codec.FinalizeAndExtract(combined.ToBytes());
        var network = NB.Transaction.Parse(tx.ToHex(), NB.Network.Main);
        Assert.Equal(network.GetHash().ToString(), tx.TxId);
        var spent = funding.Outputs.Select(o => new NB.TxOut(NB.Money.Satoshis(o.Value), NB.Script.FromBytesUnsafe(o.ScriptPubKey.ToArray()))).ToArray();
        var data = network.PrecomputeTransactionData(spent);
        foreach (var input in network.Inputs.AsIndexedInputs())
            Assert.True(input.VerifyScript(spent[input.Index], NB.ScriptVerify.Standard, data, out var error), $"input {input.Index}: {error}");

        // A tapscript leaf naming the same key needs a BIP340 signature, which PKCS#11 cannot make: refused, saying so.
        var leaf = (byte[])[32, .. ours[1..], BitcoinScript.OpCheckSig];
        var leafHash = Taproot.LeafHash(Taproot.TapscriptLeafVersion, leaf);
        var nums = Convert.FromHexString("50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0");
        var outputKey = Secp256k1.TaprootOutputKey(nums, leafHash, out var parity);
        var trFunding = new TxOutput(50_000, BitcoinScript.P2tr(outputKey));
        var tr = PartiallySignedTransaction.Create(new BitcoinTransaction(2, [new TxInput(new OutPoint(Hashes.Sha256(leaf), 0), [], 0xfffffffd)],
            [new TxOutput(40_000, PsbtSpend.To("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"))], 0));
        tr = tr.WithInput(tr.Inputs[0].WithWitnessUtxo(trFunding).WithTapLeafScript([(byte)(Taproot.TapscriptLeafVersion | parity), .. nums], leaf, Taproot.TapscriptLeafVersion)
            .WithTapBip32Derivation(ours.AsSpan(1), [leafHash], new KeyOrigin(0xc0ffee00, KeyPath.Parse("m/86'/0'/0'/0/0"))));
        var e = await Assert.ThrowsAsync<RpcException>(() => daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = NewRequestId(), WalletId = wallet.WalletId, Chain = "btc", Payload = tr.ToBase64(),
        }, Signer).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("PKCS#11 has no Schnorr", e.Status.Detail, StringComparison.Ordinal);
    }
}
