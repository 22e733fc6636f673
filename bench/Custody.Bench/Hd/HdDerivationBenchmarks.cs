using BenchmarkDotNet.Attributes;
using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.Core.Hd.Bip39;
using Custody.Core.Hd.Slip10;

namespace Custody.Bench.Hd;

/// <summary>
/// The HD hot path: a signature needs its key, five BIP32 levels below the master. Compares
/// deriving from the master every time with one normal step from a cached parent
/// (DerivationCache, as HdKeyRing does), plus mnemonic → seed (PBKDF2 × 2048).
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet calls [GlobalCleanup]")]
public class HdDerivationBenchmarks
{
    private const string Abandon = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    private static readonly KeyPath Account = KeyPath.Parse("m/84'/0'/0'/0");
    private ExtendedPrivateKey _master = null!;
    private DerivationCache<ExtendedPrivateKey> _cache = null!;
    private Ed25519ExtendedKey _edMaster = null!;
    private HdKeyRing _ring = null!;
    private readonly byte[] _digest = Hashes.Sha256("bench"u8);
    private uint _index;

    [GlobalSetup]
    public void Setup()
    {
        using var mnemonic = Mnemonic.Parse(Abandon);
        using var seed = mnemonic.ToSeed("");
        _master = ExtendedPrivateKey.FromSeed(seed.Span);
        _cache = new DerivationCache<ExtendedPrivateKey>(_master.Copy());
        _cache.Derive(Account.Child(0)).Dispose(); // warms the parent m/84'/0'/0'/0
        _edMaster = Ed25519ExtendedKey.FromSeed(seed.Span);
        _ring = new HdKeyRing(seed, KeyCurve.Secp256k1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _master.Dispose();
        _cache.Dispose();
        _edMaster.Dispose();
        _ring.Dispose();
    }

    private KeyPath NextPath() => Account.Child(_index++ % 1000);

    [Benchmark(Baseline = true, Description = "BIP32 m/84'/0'/0'/0/i from the master (5 levels)")]
    public int FiveLevelsFromMaster()
    {
        using var key = _master.Derive(NextPath());
        return key.PrivateKey[0];
    }

    [Benchmark(Description = "BIP32 one normal step from a cached parent")]
    public int OneStepFromCachedParent()
    {
        using var key = _cache.Derive(NextPath());
        return key.PrivateKey[0];
    }

    [Benchmark(Description = "HdKeyRing.SignEcdsa at m/84'/0'/0'/0/i (cached parent, sign, verify)")]
    public EcdsaSignature RingSignEcdsa() => _ring.SignEcdsa(NextPath(), _digest);

    [Benchmark(Description = "SLIP-10 ed25519 m/44'/501'/i'/0' from the master (4 levels)")]
    public int Ed25519FourLevels()
    {
        using var key = _edMaster.Derive(KeyPath.Parse("m/44'/501'").Hardened(_index++ % 1000).Hardened(0));
        return key.PrivateKey[0];
    }

    [Benchmark(Description = "BIP39 mnemonic (12 words) → seed")]
    public int MnemonicToSeed()
    {
        using var mnemonic = Mnemonic.Parse(Abandon);
        using var seed = mnemonic.ToSeed("TREZOR");
        return seed.Span[0];
    }
}
