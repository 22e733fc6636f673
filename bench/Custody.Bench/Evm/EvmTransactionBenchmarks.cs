using BenchmarkDotNet.Attributes;
using Custody.Core.Chains;
using Custody.Core.Chains.Evm;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Bench.Evm;

/// <summary>
/// EIP-1559 transactions (an ERC-20 transfer) per second through EvmCodec: decode to an
/// intent; decode + keccak signing hash; and the whole Sign (decode, hash, RFC 6979 sign,
/// recovery check, signed encoding, txid) with one fixed secp256k1 key.
/// </summary>
[MemoryDiagnoser]
public class EvmTransactionBenchmarks
{
    private readonly EvmCodec _codec = new(ChainRegistry.Get("eth"));
    private readonly OneKeyRing _keys = new(Convert.FromHexString("4646464646464646464646464646464646464646464646464646464646464646"));
    private byte[] _payload = [];
    private byte[] _hash = [];

    [GlobalSetup]
    public void Setup()
    {
        var calldata = Convert.FromHexString(
            "a9059cbb0000000000000000000000003535353535353535353535353535353535353535" +
            "00000000000000000000000000000000000000000000000000000000000f4240");
        _payload = new EvmTransaction
        {
            Type = EvmTransactionType.DynamicFee,
            ChainId = 1,
            Nonce = 42,
            MaxPriorityFeePerGas = 1_500_000_000,
            MaxFeePerGas = 30_000_000_000,
            GasLimit = 65_000,
            To = EvmAddress.Parse("0xdAC17F958D2ee523a2206206994597C13D831ec7"),
            Data = calldata,
        }.EncodeUnsigned();
        _hash = Hashes.Keccak256(_payload);
        _ = _codec.Sign(_payload, _keys, KeyPath.Root); // loads libsecp256k1 before measuring
    }

    [Benchmark(Description = "EIP-1559 decode to intent")]
    public TransactionIntent Decode() => _codec.Decode(_payload);

    [Benchmark(Description = "EIP-1559 decode + keccak signing hash")]
    public byte[] DecodeAndHash() => EvmTransaction.DecodeUnsigned(_payload).SigningHash();

    [Benchmark(Description = "secp256k1 sign of the hash alone (the floor)")]
    public EcdsaSignature SignHashOnly() => _keys.SignEcdsa(KeyPath.Root, _hash);

    [Benchmark(Baseline = true, Description = "EIP-1559 decode + hash + sign (EvmCodec.Sign)")]
    public SignedTransaction Sign() => _codec.Sign(_payload, _keys, KeyPath.Root);

    /// <summary>One secp256k1 key at every path: the in-process signer, without HD derivation.</summary>
    private sealed class OneKeyRing(byte[] key) : IKeyRing
    {
        private readonly byte[] _publicKey = Secp256k1.GetPublicKey(key);

        public uint? MasterFingerprint => null;

        public KeyCurve Curve => KeyCurve.Secp256k1;

        public byte[] GetPublicKey(KeyPath path) => _publicKey;

        public EcdsaSignature SignEcdsa(KeyPath path, ReadOnlySpan<byte> digest32) => Secp256k1.Sign(key, digest32);

        public byte[] SignTaproot(KeyPath path, ReadOnlySpan<byte> sighash32, ReadOnlySpan<byte> merkleRoot) => throw new NotSupportedException();

        public byte[] SignSchnorr(KeyPath path, ReadOnlySpan<byte> sighash32) => throw new NotSupportedException();

        public byte[] SignEd25519(KeyPath path, ReadOnlySpan<byte> message) => throw new NotSupportedException();
    }
}
