using BenchmarkDotNet.Attributes;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Bench.Bitcoin;

/// <summary>
/// PsbtCodec.Sign on a PSBT of <see cref="Inputs"/> inputs of one script kind: parse,
/// prove the spent outputs, decode the intent, verify the change, sign, verify each
/// signature, finalise, extract. Reported per input (OperationsPerInvoke), so
/// inputs/s = 10⁹ / Mean[ns].
/// </summary>
[MemoryDiagnoser]
public class PsbtSigningBenchmarks
{
    private const int Inputs = 10;
    private const uint Fingerprint = 0x1234abcd;
    private static readonly Chain Chain = ChainRegistry.Get("btc");
    private readonly PsbtCodec _codec = new(Chain);
    private readonly BenchKeyRing _keys = new(Fingerprint);
    private byte[] _p2wpkh = [];
    private byte[] _p2tr = [];
    private byte[] _scriptPath = [];
    private byte[] _widestTree = [];

    [GlobalSetup]
    public void Setup()
    {
        _p2wpkh = Build(BitcoinAddressKind.P2wpkh);
        _p2tr = Build(BitcoinAddressKind.P2tr);
        _scriptPath = BuildScriptPath(leaves: 1);
        _widestTree = BuildScriptPath(leaves: PsbtInput.MaxTapLeafScripts);
    }

    [Benchmark(OperationsPerInvoke = Inputs, Description = "P2WPKH input (BIP143, ECDSA)")]
    public SignedTransaction SignP2wpkh() => _codec.Sign(_p2wpkh, _keys, null);

    [Benchmark(OperationsPerInvoke = Inputs, Description = "P2TR key-path input (BIP341, Schnorr)")]
    public SignedTransaction SignP2tr() => _codec.Sign(_p2tr, _keys, null);

    [Benchmark(OperationsPerInvoke = Inputs, Description = "P2TR script-path input, 2-of-3 multi_a leaf (BIP342, Schnorr)")]
    public SignedTransaction SignScriptPath() => _codec.Sign(_scriptPath, _keys, null);

    [Benchmark(OperationsPerInvoke = Inputs, Description = "P2TR script-path input with 256 leaves (the most examined)")]
    public SignedTransaction SignWidestTree() => _codec.Sign(_widestTree, _keys, null);

    /// <summary>
    /// Inputs spending tr(NUMS, tree): a complete tree of <paramref name="leaves"/> (a power of two)
    /// 2-of-3 multi_a leaves of our key and two others, all given with their control blocks; our
    /// derivation names leaf 0, so one signature per input and no finalising.
    /// </summary>
    private byte[] BuildScriptPath(int leaves)
    {
        var nums = Convert.FromHexString("50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0");
        var previous = new List<(BitcoinTransaction Funding, byte[][] Scripts, byte[][] Blocks, byte[] Ours)>();
        var inputs = new List<TxInput>();
        for (var i = 0; i < Inputs; i++)
        {
            var ours = _keys.GetPublicKey(Path(BitcoinAddressKind.P2tr, (uint)i))[1..];
            var scripts = Enumerable.Range(0, leaves).Select(l =>
            {
                var a = Secp256k1.GetPublicKey(Hashes.Sha256(System.Text.Encoding.UTF8.GetBytes($"a{i}/{l}")))[1..];
                var b = Secp256k1.GetPublicKey(Hashes.Sha256(System.Text.Encoding.UTF8.GetBytes($"b{i}/{l}")))[1..];
                return (byte[])[32, .. ours, BitcoinScript.OpCheckSig, 32, .. a, MultisigScript.OpCheckSigAdd, 32, .. b, MultisigScript.OpCheckSigAdd, 0x52, MultisigScript.OpNumEqual];
            }).ToArray();
            var depth = (byte)System.Numerics.BitOperations.Log2((uint)leaves);
            var tree = scripts.Select(script => new PsbtTapTreeLeaf(depth, Taproot.TapscriptLeafVersion, script)).ToList();
            var blocks = Taproot.ControlBlocks(nums, tree, "tree").ToArray();
            var outputKey = Secp256k1.TaprootOutputKey(nums, Taproot.MerkleRoot(tree, "tree"));
            var funding = new BitcoinTransaction(2, [new TxInput(new OutPoint(Hashes.Sha256([(byte)i, 1]), 0), [0x51], 0xffffffff)],
                [new TxOutput(100_000, BitcoinScript.P2tr(outputKey))], 0);
            previous.Add((funding, scripts, blocks, ours));
            inputs.Add(new TxInput(new OutPoint(funding.TxHash, 0), [], 0xfffffffd));
        }
        var tx = new BitcoinTransaction(2, inputs, [new TxOutput(Inputs * 100_000 - 5_000, BitcoinScript.P2wpkh(new byte[20]))], 0);
        var psbt = PartiallySignedTransaction.Create(tx);
        for (var i = 0; i < Inputs; i++)
        {
            var (funding, scripts, blocks, ours) = previous[i];
            var input = psbt.Inputs[i].WithWitnessUtxo(funding.Outputs[0]);
            for (var l = 0; l < leaves; l++) input = input.WithTapLeafScript(blocks[l], scripts[l], Taproot.TapscriptLeafVersion);
            input = input.WithTapBip32Derivation(ours, [Taproot.LeafHash(Taproot.TapscriptLeafVersion, scripts[0])],
                new KeyOrigin(Fingerprint, Path(BitcoinAddressKind.P2tr, (uint)i)));
            psbt = psbt.WithInput(input);
        }
        return psbt.ToBytes();
    }

    private byte[] Build(BitcoinAddressKind kind)
    {
        var previous = new List<BitcoinTransaction>();
        var inputs = new List<TxInput>();
        for (var i = 0; i < Inputs; i++)
        {
            var pub = _keys.GetPublicKey(Path(kind, (uint)i));
            var script = kind == BitcoinAddressKind.P2tr
                ? BitcoinScript.P2tr(Secp256k1.TaprootOutputKey(pub.AsSpan(1), []))
                : BitcoinScript.P2wpkh(Hashes.Hash160(pub));
            var funding = new BitcoinTransaction(2, [new TxInput(new OutPoint(Hashes.Sha256([(byte)i]), 0), [0x51], 0xffffffff)],
                [new TxOutput(100_000, script)], 0);
            previous.Add(funding);
            inputs.Add(new TxInput(new OutPoint(funding.TxHash, 0), [], 0xfffffffd));
        }
        var tx = new BitcoinTransaction(2, inputs, [new TxOutput(Inputs * 100_000 - 5_000, BitcoinScript.P2wpkh(new byte[20]))], 0);
        var psbt = PartiallySignedTransaction.Create(tx);
        for (var i = 0; i < Inputs; i++)
        {
            var pub = _keys.GetPublicKey(Path(kind, (uint)i));
            var origin = new KeyOrigin(Fingerprint, Path(kind, (uint)i));
            var input = psbt.Inputs[i].WithWitnessUtxo(previous[i].Outputs[0]);
            input = kind == BitcoinAddressKind.P2tr
                ? input.WithTapInternalKey(pub.AsSpan(1)).WithTapBip32Derivation(pub.AsSpan(1), [], origin)
                : input.WithBip32Derivation(pub, origin);
            psbt = psbt.WithInput(input);
        }
        return psbt.ToBytes();
    }

    private static KeyPath Path(BitcoinAddressKind kind, uint index) =>
        KeyPath.Root.Hardened(kind == BitcoinAddressKind.P2tr ? 86u : 84u).Hardened(0).Hardened(0).Child(0).Child(index);

    /// <summary>Fixed private keys per path, signing in process (what an HD ring does after derivation).</summary>
    private sealed class BenchKeyRing(uint fingerprint) : IKeyRing
    {
        private readonly Dictionary<KeyPath, byte[]> _keys = [];

        public uint? MasterFingerprint => fingerprint;

        public KeyCurve Curve => KeyCurve.Secp256k1;

        private byte[] Key(KeyPath path)
        {
            if (!_keys.TryGetValue(path, out var key)) _keys[path] = key = Hashes.Sha256(System.Text.Encoding.UTF8.GetBytes("bench" + path));
            return key;
        }

        public byte[] GetPublicKey(KeyPath path) => Secp256k1.GetPublicKey(Key(path));

        public EcdsaSignature SignEcdsa(KeyPath path, ReadOnlySpan<byte> digest32) => Secp256k1.Sign(Key(path), digest32);

        public byte[] SignTaproot(KeyPath path, ReadOnlySpan<byte> sighash32, ReadOnlySpan<byte> merkleRoot)
        {
            Span<byte> tweaked = stackalloc byte[32];
            Secp256k1.TaprootTweakPrivateKey(Key(path), merkleRoot, tweaked);
            return Secp256k1.SignSchnorr(tweaked, sighash32, new byte[32]);
        }

        public byte[] SignSchnorr(KeyPath path, ReadOnlySpan<byte> sighash32) => Secp256k1.SignSchnorr(Key(path), sighash32, new byte[32]);

        public byte[] SignEd25519(KeyPath path, ReadOnlySpan<byte> message) => throw new NotSupportedException();
    }
}
