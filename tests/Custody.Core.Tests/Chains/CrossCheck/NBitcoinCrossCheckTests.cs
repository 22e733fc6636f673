using System.Numerics;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Sighash;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.Core.Tests.Chains.Bitcoin;
using Custody.Core.Tests.TestKit;
using NB = NBitcoin;

namespace Custody.Core.Tests.Chains.CrossCheck;

/// <summary>
/// Our Bitcoin code against NBitcoin 10.0.21, an independent C# implementation, in process and on
/// random inputs (a fixed seed per test, so a failure repeats): BIP32 keys at random paths, Base58,
/// Base58Check and Bech32/Bech32m addresses both ways, and every PSBT we sign here read by NBitcoin
/// — the same sighash per input, the same fee, a virtual size that bounds the real one from below,
/// the same extracted transaction, and our finalised scripts and witnesses accepted by its
/// script interpreter. NBitcoin is a test dependency only (production keeps libsecp256k1 and our
/// own strict parsers).
/// </summary>
public class NBitcoinCrossCheckTests
{
    private static readonly (string ChainId, NB.Network Network)[] Networks =
        [("btc", NB.Network.Main), ("btc-testnet", NB.Network.TestNet), ("btc-regtest", NB.Network.RegTest)];

    [Fact]
    public void Bip32_keys_at_random_paths_match()
    {
        var random = new Random(32);
        for (var n = 0; n < 60; n++)
        {
            var seed = Bytes(random, random.Next(16, 65));
            var indexes = Enumerable.Range(0, random.Next(1, 6))
                .Select(_ => (uint)random.Next(0, int.MaxValue) | (random.Next(2) == 0 ? KeyPath.HardenedBit : 0u)).ToArray();
            var path = KeyPath.FromIndexes(indexes);

            using var ours = ExtendedPrivateKey.FromSeed(seed).Derive(path);
            var theirs = NB.ExtKey.CreateFromSeed(seed).Derive(NB.KeyPath.Parse(path.ToString()));
            Assert.Equal(theirs.GetWif(NB.Network.Main).ToString(), ours.ToBase58(ExtendedKeyVersion.Xpub));
            Assert.Equal(theirs.Neuter().GetWif(NB.Network.Main).ToString(), ours.Neuter().ToBase58(ExtendedKeyVersion.Xpub));
            Assert.Equal(theirs.Neuter().GetWif(NB.Network.TestNet).ToString(), ours.Neuter().ToBase58(BitcoinNetwork.Testnet));
        }
    }

    [Fact]
    public void Base58_and_Base58Check_match()
    {
        var random = new Random(58);
        for (var n = 0; n < 300; n++)
        {
            // Leading zero bytes are where Base58 codecs differ most often.
            var data = new byte[random.Next(0, 4)].Concat(Bytes(random, random.Next(0, 60))).ToArray();
            Assert.Equal(NB.DataEncoders.Encoders.Base58.EncodeData(data), Base58.Encode(data));
            Assert.Equal(NB.DataEncoders.Encoders.Base58Check.EncodeData(data), Base58.EncodeCheck(data));
            Assert.Equal(data, Base58.DecodeCheck(NB.DataEncoders.Encoders.Base58Check.EncodeData(data)));
        }
    }

    [Fact]
    public void Addresses_of_every_kind_and_witness_version_match_both_ways()
    {
        var random = new Random(173);
        for (var n = 0; n < 200; n++)
        {
            var (chainId, network) = Networks[random.Next(Networks.Length)];
            var ourNetwork = BitcoinFamily.NetworkOf(ChainRegistry.Get(chainId));
            var key = new NB.Key(Bytes(random, 32));
            var pub = key.PubKey.ToBytes();

            foreach (var (kind, type) in new[]
                     {
                         (BitcoinAddressKind.P2pkh, NB.ScriptPubKeyType.Legacy), (BitcoinAddressKind.P2shP2wpkh, NB.ScriptPubKeyType.SegwitP2SH),
                         (BitcoinAddressKind.P2wpkh, NB.ScriptPubKeyType.Segwit), (BitcoinAddressKind.P2tr, NB.ScriptPubKeyType.TaprootBIP86),
                     })
                Assert.Equal(key.PubKey.GetAddress(type, network).ToString(), BitcoinAddress.FromPublicKey(kind, pub, ourNetwork));

            // Any witness program: v0 of 20 or 32 bytes (bech32), v1–v16 of 2–40 bytes (bech32m).
            var version = random.Next(0, 17);
            var program = Bytes(random, version == 0 ? (random.Next(2) == 0 ? 20 : 32) : random.Next(2, 41));
            var script = BitcoinScript.Witness(version, program);
            Assert.True(BitcoinAddress.TryFromScriptPubKey(script, ourNetwork, out var address));
            var encoder = NB.DataEncoders.Encoders.Bech32(ourNetwork.Bech32Hrp!);
            Assert.Equal(encoder.Encode((byte)version, program), address);
            Assert.Equal(program, encoder.Decode(address, out var decodedVersion));
            Assert.Equal(version, decodedVersion);
            // Triaged: NBitcoin has address types only for v0 and v1 (taproot, 32 bytes); for the
            // other versions BIP350 still defines the address, which we print and its encoder agrees on.
            if (version == 0 || program.Length == 32 && version == 1)
            {
                Assert.Equal(NB.Script.FromBytesUnsafe(script).GetDestinationAddress(network)?.ToString(), address);
                Assert.Equal(script, NB.BitcoinAddress.Create(address, network).ScriptPubKey.ToBytes());
            }
            else
            {
                Assert.Null(NB.Script.FromBytesUnsafe(script).GetDestinationAddress(network));
            }
        }
    }

    [Fact]
    public void Every_psbt_we_sign_reads_alike_in_NBitcoin_and_its_interpreter_accepts_our_witnesses()
    {
        var random = new Random(174);
        var kinds = Enum.GetValues<BitcoinAddressKind>();
        for (var n = 0; n < 40; n++)
        {
            var (chainId, network) = Networks[random.Next(Networks.Length)];
            var chain = ChainRegistry.Get(chainId);
            using var keys = FixedKeyRing.Deterministic(0x5eed0000u + (uint)n, $"nbitcoin-{n}");
            var builder = new TestPsbtBuilder(keys);
            var inputKinds = Enumerable.Range(0, random.Next(1, 5)).Select(_ => kinds[random.Next(kinds.Length)]).ToArray();
            long funded = 0;
            for (var i = 0; i < inputKinds.Length; i++)
            {
                var amount = random.Next(20_000, 5_000_000);
                funded += amount;
                builder.Spend(inputKinds[i], PsbtCodecTests.PathFor(chain, inputKinds[i], 0, (uint)i), amount);
            }
            var paid = funded / 2;
            builder.Pay(TestPsbtBuilder.ScriptFor(kinds[random.Next(kinds.Length)], new NB.Key(Bytes(random, 32)).PubKey.ToBytes()), paid);
            var changeKind = kinds[random.Next(kinds.Length)];
            builder.Change(changeKind, PsbtCodecTests.PathFor(chain, changeKind, 1, 0), funded - paid - random.Next(300, 20_000));
            var unsigned = builder.Build();

            var codec = chain.Codec();
            var intent = codec.Decode(unsigned.ToBytes());
            var signed = codec.Sign(unsigned.ToBytes(), keys, null);
            var context = $"case {n} ({chainId}: {string.Join(", ", inputKinds)})";

            // The unsigned PSBT: the same fee and, input by input, the same sighash.
            var theirs = NB.PSBT.Parse(Convert.ToBase64String(unsigned.ToBytes()), network);
            Assert.True(theirs.TryGetFee(out var fee), context);
            Assert.Equal(intent.Fee, new BigInteger(fee.Satoshi));
            var spent = SpentOutputs.Resolve(unsigned, BitcoinFamily.NetworkOf(chain));
            var precomputed = theirs.PrecomputeTransactionData();
            var segwit = new SegwitV0Sighash(unsigned.UnsignedTransaction);
            var taproot = new TaprootSighash(unsigned.UnsignedTransaction, spent);
            for (var i = 0; i < inputKinds.Length; i++)
            {
                var pub = keys.GetPublicKey(PsbtCodecTests.PathFor(chain, inputKinds[i], 0, (uint)i));
                var ours = inputKinds[i] switch
                {
                    BitcoinAddressKind.P2tr => taproot.ComputeKeyPath(i, SighashType.Default),
                    BitcoinAddressKind.P2pkh => LegacySighash.Compute(unsigned.UnsignedTransaction, i, spent[i].ScriptPubKey, SighashType.All),
                    _ => segwit.Compute(i, BitcoinScript.P2pkh(Hashes.Hash160(pub)), spent[i].Value, SighashType.All),
                };
                var their = inputKinds[i] == BitcoinAddressKind.P2tr
                    ? theirs.Inputs[i].GetSignatureHash(NB.TaprootSigHash.Default, precomputed)
                    : theirs.Inputs[i].GetSignatureHash(NB.SigHash.All, precomputed);
                Assert.True(their.ToBytes().AsSpan().SequenceEqual(ours), $"{context}: input {i} sighash");
            }

            // The signed PSBT: complete, extracted to the same transaction, every input's script passes
            // NBitcoin's interpreter under the standard flags, and its virtual size is what we bounded.
            var signedTheirs = NB.PSBT.Parse(signed.Payload, network);
            Assert.True(signedTheirs.IsAllFinalized(), context);
            var ourTx = PartiallySignedTransaction.ParseBase64(signed.Payload).ExtractTransaction();
            var theirTx = signedTheirs.ExtractTransaction();
            Assert.Equal(theirTx.ToHex(), ourTx.ToHex());
            Assert.Equal(theirTx.GetHash().ToString(), signed.TxId);
            var spentOutputs = spent.Select(s => new NB.TxOut(NB.Money.Satoshis(s.Value), NB.Script.FromBytesUnsafe(s.ScriptPubKey.ToArray()))).ToArray();
            var data = theirTx.PrecomputeTransactionData(spentOutputs);
            foreach (var input in theirTx.Inputs.AsIndexedInputs())
                Assert.True(input.VerifyScript(spentOutputs[input.Index], NB.ScriptVerify.Standard, data, out var error), $"{context}: input {input.Index}: {error}");
            var vsize = Assert.IsType<long>(intent.VirtualSize);
            Assert.InRange(theirTx.GetVirtualSize(), vsize, vsize + 3 * inputKinds.Length);
        }
    }

    [Fact]
    public void Tapscript_sighashes_match_for_every_hash_type()
    {
        // BIP342's extension (tapleaf hash, key version 0, no code separator) on the 2-of-3 tr(NUMS, sortedmulti_a) PSBT.
        using var kit = new MultisigPsbts();
        var psbt = kit.Build(kit.Descriptor($"tr({MultisigPsbts.Nums},{{1}})"));
        var spent = SpentOutputs.Resolve(psbt, BitcoinNetwork.Mainnet);
        var ours = new TaprootSighash(psbt.UnsignedTransaction, spent);
        var theirTx = NB.Transaction.Parse(psbt.UnsignedTransaction.ToHex(), NB.Network.Main);
        var precomputed = theirTx.PrecomputeTransactionData(
            [.. spent.Select(s => new NB.TxOut(NB.Money.Satoshis(s.Value), NB.Script.FromBytesUnsafe(s.ScriptPubKey.ToArray())))]);
        uint[] types = [SighashType.Default, SighashType.All, SighashType.None, SighashType.Single, 0x81, 0x82, 0x83];
        foreach (var input in psbt.Inputs)
        {
            var leaf = input.TapLeafScripts.Single();
            var leafHash = Taproot.LeafHash(leaf.LeafVersion, leaf.Script.Span);
            foreach (var type in types)
            {
                var theirs = theirTx.GetSignatureHashTaproot(precomputed,
                    new NB.TaprootExecutionData(input.Index, new NB.uint256(leafHash)) { SigHash = (NB.TaprootSigHash)type });
                Assert.True(theirs.ToBytes().AsSpan().SequenceEqual(ours.ComputeScriptPath(input.Index, type, leafHash)), $"input {input.Index}, type 0x{type:x2}");
            }
        }
    }

    /// <summary>
    /// A count written in more bytes than it needs (0xfd 0x01 0x00 for 1) gives the same transaction
    /// two encodings, and so two txids for one spend: consensus refuses it, and so do we. NBitcoin read
    /// such counts until mid-2026; this pins what the version we test against does.
    /// </summary>
    [Fact]
    public void A_non_canonical_compact_size_is_refused_by_both()
    {
        var tx = new BitcoinTransaction(2, [new TxInput(new OutPoint(new byte[32], 0), [], 0xffffffff)], [new TxOutput(1000, [0x51])], 0);
        var canonical = tx.ToHex(includeWitness: false);
        Assert.StartsWith("0200000001", canonical, StringComparison.Ordinal);
        var stretched = "02000000fd0100" + canonical["0200000001".Length..];

        Assert.Equal(tx.TxId, NB.Transaction.Parse(canonical, NB.Network.Main).GetHash().ToString());
        Assert.Throws<InvalidInputException>(() => BitcoinTransaction.ParseHex(stretched));
        Assert.ThrowsAny<Exception>(() => NB.Transaction.Parse(stretched, NB.Network.Main));
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
