using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.Core.Hd.Slip10;

namespace Custody.Core.Tests.Hd;

public class DerivationCacheTests
{
    private static readonly byte[] Seed = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");

    [Theory]
    [InlineData(256)]
    [InlineData(3)]
    [InlineData(1)]
    public void Gives_the_same_keys_as_derivation_from_the_master(int capacity)
    {
        using var master = ExtendedPrivateKey.FromSeed(Seed);
        using var cache = new DerivationCache<ExtendedPrivateKey>(master.Copy(), capacity);
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var path = KeyPath.Parse($"m/{random.Next(84, 87)}'/0'/{random.Next(2)}'/{random.Next(2)}/{random.Next(20)}");
            if (random.Next(5) == 0) path = path.Parent(random.Next(0, 6));
            using var expected = master.Derive(path);
            using var actual = cache.Derive(path);
            Assert.Equal(expected.ToBase58(ExtendedKeyVersion.Xpub), actual.ToBase58(ExtendedKeyVersion.Xpub));
            Assert.InRange(cache.Count, 0, capacity);
        }
    }

    [Fact]
    public void Keeps_inner_nodes_only_and_reuses_the_longest_prefix()
    {
        using var cache = new DerivationCache<ExtendedPrivateKey>(ExtendedPrivateKey.FromSeed(Seed));
        cache.Derive(KeyPath.Parse("m/84'/0'/0'/0/0")).Dispose();
        Assert.Equal(4, cache.Count); // m/84', m/84'/0', m/84'/0'/0', m/84'/0'/0'/0
        cache.Derive(KeyPath.Parse("m/84'/0'/0'/0/1")).Dispose();
        Assert.Equal(4, cache.Count);
        cache.Derive(KeyPath.Parse("m/84'/0'/0'/1/0")).Dispose();
        Assert.Equal(5, cache.Count);
    }

    [Fact]
    public void Leaves_belong_to_the_caller_and_the_cache_clears_its_nodes_on_dispose()
    {
        var cache = new DerivationCache<Ed25519ExtendedKey>(Ed25519ExtendedKey.FromSeed(Seed));
        var leaf = cache.Derive(KeyPath.Parse("m/44'/501'/0'/0'"));
        leaf.Dispose();
        using var again = cache.Derive(KeyPath.Parse("m/44'/501'/0'/0'")); // still derivable: the leaf was a copy
        var root = cache.Derive(KeyPath.Root);
        root.Dispose();
        using var rootAgain = cache.Derive(KeyPath.Root); // the master survives a caller disposing its copy
        cache.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cache.Derive(KeyPath.Root));
        Assert.Equal(32, again.PrivateKey.Length); // a leaf outlives the cache
    }
}
