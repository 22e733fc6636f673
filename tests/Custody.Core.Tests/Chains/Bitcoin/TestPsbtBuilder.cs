using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Tests.TestKit;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>
/// Builds PSBTs the way a wallet back end would (Creator + Updater): each input spends
/// output 1 of a made-up previous transaction paying one of the ring's keys, with the
/// UTXO fields and derivations BIP174/BIP371 ask for.
/// </summary>
internal sealed class TestPsbtBuilder(FixedKeyRing keys)
{
    private readonly List<(TxInput Input, Func<PsbtInput, PsbtInput> Update)> _inputs = [];
    private readonly List<(TxOutput Output, Func<PsbtOutput, PsbtOutput> Update)> _outputs = [];
    private int _funding;

    public uint Fingerprint => keys.MasterFingerprint ?? 0;

    public KeyOrigin Origin(KeyPath path) => new(Fingerprint, path);

    public static byte[] ScriptFor(BitcoinAddressKind kind, byte[] pub) => kind switch
    {
        BitcoinAddressKind.P2pkh => BitcoinScript.P2pkh(Hashes.Hash160(pub)),
        BitcoinAddressKind.P2wpkh => BitcoinScript.P2wpkh(Hashes.Hash160(pub)),
        BitcoinAddressKind.P2shP2wpkh => BitcoinScript.P2sh(Hashes.Hash160(BitcoinScript.P2wpkh(Hashes.Hash160(pub)))),
        _ => BitcoinScript.P2tr(Secp256k1.TaprootOutputKey(pub.AsSpan(1), [])),
    };

    /// <summary>A previous transaction whose output 1 is <paramref name="output"/>.</summary>
    public BitcoinTransaction Funding(TxOutput output)
    {
        var seed = Hashes.Sha256([(byte)_funding, (byte)(_funding >> 8), 0x42]);
        _funding++;
        var input = new TxInput(new OutPoint(seed, 7), [0x51], 0xffffffff);
        return new BitcoinTransaction(2, [input], [new TxOutput(1000, [0x6a]), output], 0);
    }

    /// <summary>Our input of <paramref name="kind"/> at <paramref name="path"/>, with the usual UTXO fields.</summary>
    public TestPsbtBuilder Spend(BitcoinAddressKind kind, KeyPath path, long amount, Func<PsbtInput, PsbtInput>? extra = null)
    {
        var pub = keys.GetPublicKey(path);
        var previous = Funding(new TxOutput(amount, ScriptFor(kind, pub)));
        _inputs.Add((new TxInput(new OutPoint(previous.TxHash, 1), [], 0xfffffffd), input =>
        {
            input = kind switch
            {
                BitcoinAddressKind.P2pkh => input.WithNonWitnessUtxo(previous).WithBip32Derivation(pub, Origin(path)),
                BitcoinAddressKind.P2tr => input.WithWitnessUtxo(previous.Outputs[1])
                    .WithTapInternalKey(pub.AsSpan(1)).WithTapBip32Derivation(pub.AsSpan(1), [], Origin(path)),
                BitcoinAddressKind.P2shP2wpkh => input.WithNonWitnessUtxo(previous).WithWitnessUtxo(previous.Outputs[1])
                    .WithRedeemScript(BitcoinScript.P2wpkh(Hashes.Hash160(pub))).WithBip32Derivation(pub, Origin(path)),
                _ => input.WithNonWitnessUtxo(previous).WithWitnessUtxo(previous.Outputs[1]).WithBip32Derivation(pub, Origin(path)),
            };
            return extra is null ? input : extra(input);
        }));
        return this;
    }

    /// <summary>Any input, its map filled by <paramref name="update"/> (for inputs that are not ours, or broken ones).</summary>
    public TestPsbtBuilder SpendRaw(OutPoint prevOut, Func<PsbtInput, PsbtInput> update, uint sequence = 0xfffffffd)
    {
        _inputs.Add((new TxInput(prevOut, [], sequence), update));
        return this;
    }

    public TestPsbtBuilder Pay(byte[] script, long amount, Func<PsbtOutput, PsbtOutput>? update = null)
    {
        _outputs.Add((new TxOutput(amount, script), update ?? (o => o)));
        return this;
    }

    /// <summary>A change output to our key at <paramref name="path"/>, with its derivation (and internal key for P2TR).</summary>
    public TestPsbtBuilder Change(BitcoinAddressKind kind, KeyPath path, long amount)
    {
        var pub = keys.GetPublicKey(path);
        return Pay(ScriptFor(kind, pub), amount, output => kind switch
        {
            BitcoinAddressKind.P2tr => output.WithTapInternalKey(pub.AsSpan(1)).WithTapBip32Derivation(pub.AsSpan(1), [], Origin(path)),
            BitcoinAddressKind.P2shP2wpkh => output.WithRedeemScript(BitcoinScript.P2wpkh(Hashes.Hash160(pub))).WithBip32Derivation(pub, Origin(path)),
            _ => output.WithBip32Derivation(pub, Origin(path)),
        });
    }

    public PartiallySignedTransaction Build(uint lockTime = 0)
    {
        var tx = new BitcoinTransaction(2, _inputs.Select(i => i.Input), _outputs.Select(o => o.Output), lockTime);
        var psbt = PartiallySignedTransaction.Create(tx);
        for (var i = 0; i < _inputs.Count; i++) psbt = psbt.WithInput(_inputs[i].Update(psbt.Inputs[i]));
        for (var i = 0; i < _outputs.Count; i++) psbt = psbt.WithOutput(_outputs[i].Update(psbt.Outputs[i]));
        return psbt;
    }
}
