using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Daemon.Wallets;

namespace Custody.Daemon.Tests;

/// <summary>
/// The key ring cache: one unseal serves a busy wallet, a ring is zeroed (disposed) once idle and
/// unleased, a resealed seed opens a new ring, and a zero idle time turns caching off.
/// </summary>
public sealed class KeyRingCacheTests
{
    private static readonly KeyPath Leaf = KeyPath.Parse("m/44'/60'/0'/0/0");
    private static readonly byte[] Digest = Hashes.Sha256("key ring cache"u8);

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Opener
    {
        public int Opened { get; private set; }

        public HdKeyRing Open()
        {
            Opened++;
            using var seed = SecretBytes.CopyFrom(Hashes.Sha256("a test seed, not a secret"u8));
            return new HdKeyRing(seed, KeyCurve.Secp256k1);
        }
    }

    [Fact]
    public void A_busy_wallet_is_opened_once_and_its_ring_is_zeroed_after_the_idle_time()
    {
        var clock = new Clock();
        using var cache = new KeyRingCache(TimeSpan.FromSeconds(60), clock);
        var opener = new Opener();
        byte[] blob = [1, 2, 3];

        IKeyRing ring;
        using (var first = cache.Lease("w1", blob, KeyCurve.Secp256k1, opener.Open))
        using (var second = cache.Lease("w1", blob, KeyCurve.Secp256k1, opener.Open))
        {
            Assert.Same(first.Ring, second.Ring);
            ring = first.Ring;
            ring.SignEcdsa(Leaf, Digest);
        }
        Assert.Equal(1, opener.Opened);

        clock.Now += TimeSpan.FromSeconds(59);
        cache.Sweep();
        Assert.Equal(1, cache.Count);
        ring.SignEcdsa(Leaf, Digest); // still held: not idle long enough

        clock.Now += TimeSpan.FromSeconds(2);
        cache.Sweep();
        Assert.Equal(0, cache.Count);
        Assert.Throws<ObjectDisposedException>(() => ring.SignEcdsa(Leaf, Digest));

        using (var again = cache.Lease("w1", blob, KeyCurve.Secp256k1, opener.Open)) again.Ring.SignEcdsa(Leaf, Digest);
        Assert.Equal(2, opener.Opened);
    }

    [Fact]
    public void A_ring_in_use_is_zeroed_only_when_its_last_lease_ends()
    {
        var clock = new Clock();
        using var cache = new KeyRingCache(TimeSpan.FromSeconds(1), clock);
        var opener = new Opener();
        var lease = cache.Lease("w1", [7], KeyCurve.Secp256k1, opener.Open);
        clock.Now += TimeSpan.FromSeconds(5);
        cache.Sweep();
        Assert.Equal(0, cache.Count);
        lease.Ring.SignEcdsa(Leaf, Digest); // evicted, but a signature is still under way with it
        var ring = lease.Ring;
        lease.Dispose();
        lease.Dispose(); // twice is harmless
        Assert.Throws<ObjectDisposedException>(() => ring.SignEcdsa(Leaf, Digest));
    }

    [Fact]
    public void A_resealed_seed_opens_a_new_ring_and_the_old_one_is_zeroed()
    {
        using var cache = new KeyRingCache(TimeSpan.FromSeconds(60), new Clock());
        var opener = new Opener();
        IKeyRing old;
        using (var lease = cache.Lease("w1", [1], KeyCurve.Secp256k1, opener.Open)) old = lease.Ring;
        using (var lease = cache.Lease("w1", [2], KeyCurve.Secp256k1, opener.Open)) Assert.NotSame(old, lease.Ring);
        Assert.Equal(2, opener.Opened);
        Assert.Equal(1, cache.Count);
        Assert.Throws<ObjectDisposedException>(() => old.SignEcdsa(Leaf, Digest));
    }

    [Fact]
    public void Curves_and_wallets_have_their_own_rings()
    {
        using var cache = new KeyRingCache(TimeSpan.FromSeconds(60), new Clock());
        var opener = new Opener();
        using (cache.Lease("w1", [1], KeyCurve.Secp256k1, opener.Open))
        using (cache.Lease("w2", [1], KeyCurve.Secp256k1, opener.Open))
        {
        }
        Assert.Equal(2, opener.Opened);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void With_no_idle_time_every_lease_opens_and_zeroes_its_own_ring()
    {
        using var cache = new KeyRingCache(TimeSpan.Zero, new Clock());
        var opener = new Opener();
        IKeyRing ring;
        using (var lease = cache.Lease("w1", [1], KeyCurve.Secp256k1, opener.Open)) ring = lease.Ring;
        Assert.Throws<ObjectDisposedException>(() => ring.SignEcdsa(Leaf, Digest));
        using (cache.Lease("w1", [1], KeyCurve.Secp256k1, opener.Open))
        {
        }
        Assert.Equal(2, opener.Opened);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Disposing_the_cache_zeroes_every_idle_ring()
    {
        var cache = new KeyRingCache(TimeSpan.FromSeconds(60), new Clock());
        IKeyRing ring;
        using (var lease = cache.Lease("w1", [1], KeyCurve.Secp256k1, new Opener().Open)) ring = lease.Ring;
        cache.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ring.SignEcdsa(Leaf, Digest));
        Assert.Throws<ObjectDisposedException>(() => cache.Lease("w1", [1], KeyCurve.Secp256k1, new Opener().Open));
    }
}
