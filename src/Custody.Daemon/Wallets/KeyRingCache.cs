using Custody.Core.Chains;
using Custody.Core.Hd;

namespace Custody.Daemon.Wallets;

/// <summary>
/// HD key rings kept open between signatures, so that a busy wallet is unsealed once rather than
/// per request (an HSM round trip plus five derivation steps each). A ring leaves memory, zeroed,
/// once it has been idle for the configured time and no signature still uses it; a zero time
/// turns the cache off. A ring is tied to the exact sealed blob it came from: after a KEK
/// rotation reseals the seed, the next request opens a new ring and the old one ages out.
/// </summary>
public sealed class KeyRingCache : IDisposable
{
    private readonly Dictionary<(string WalletId, KeyCurve Curve), Entry> _entries = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;
    private readonly ITimer? _sweeper;
    private bool _disposed;

    public KeyRingCache(TimeSpan idle, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (idle < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(idle), "must not be negative");
        Idle = idle;
        _clock = clock;
        if (idle > TimeSpan.Zero)
        {
            var period = idle / 2 < TimeSpan.FromSeconds(1) ? idle / 2 : TimeSpan.FromSeconds(1);
            _sweeper = clock.CreateTimer(_ => Sweep(), null, period, period);
        }
    }

    public TimeSpan Idle { get; }

    public bool Enabled => Idle > TimeSpan.Zero;

    /// <summary>Rings held now (for tests and metrics).</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _entries.Count;
        }
    }

    /// <summary>
    /// A lease on the wallet's ring for <paramref name="curve"/>, opened with <paramref name="open"/>
    /// (unseal and derive the master) when none is held for this sealed blob.
    /// </summary>
    public KeyRingLease Lease(string walletId, byte[] sealedSeed, KeyCurve curve, Func<HdKeyRing> open)
    {
        ArgumentNullException.ThrowIfNull(sealedSeed);
        ArgumentNullException.ThrowIfNull(open);
        if (!Enabled)
        {
            var ring = open();
            return new KeyRingLease(ring, ring);
        }
        var key = (walletId, curve);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(key, out var held) && held.SealedSeed.AsSpan().SequenceEqual(sealedSeed))
                return held.Acquire(_clock.GetUtcNow());
        }

        // Unseal outside the lock: an HSM call must not hold up the other wallets.
        var entry = new Entry(open(), sealedSeed);
        lock (_lock)
        {
            if (_disposed)
            {
                entry.Evict();
                throw new ObjectDisposedException(nameof(KeyRingCache));
            }
            if (_entries.TryGetValue(key, out var raced) && raced.SealedSeed.AsSpan().SequenceEqual(sealedSeed))
            {
                entry.Evict(); // another request opened it meanwhile: use that one
                return raced.Acquire(_clock.GetUtcNow());
            }
            raced?.Evict(); // a ring of an older sealed blob
            _entries[key] = entry;
            return entry.Acquire(_clock.GetUtcNow());
        }
    }

    /// <summary>Drops every ring idle for longer than <see cref="Idle"/>.</summary>
    public void Sweep()
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            foreach (var (key, entry) in _entries.ToArray())
            {
                if (now - entry.LastUsed < Idle) continue;
                _entries.Remove(key);
                entry.Evict();
            }
        }
    }

    public void Dispose()
    {
        _sweeper?.Dispose();
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var entry in _entries.Values) entry.Evict();
            _entries.Clear();
        }
    }

    /// <summary>A held ring: disposed (zeroed) when evicted and no lease is out. Guarded by the cache's lock.</summary>
    private sealed class Entry(HdKeyRing ring, byte[] sealedSeed)
    {
        private readonly Lock _lock = new();
        private int _leases;
        private bool _evicted;

        public byte[] SealedSeed { get; } = sealedSeed;

        public DateTimeOffset LastUsed { get; private set; }

        public KeyRingLease Acquire(DateTimeOffset now)
        {
            lock (_lock)
            {
                _leases++;
                LastUsed = now;
            }
            return new KeyRingLease(ring, new Release(this));
        }

        public void Evict()
        {
            lock (_lock)
            {
                _evicted = true;
                if (_leases == 0) ring.Dispose();
            }
        }

        private void Return()
        {
            lock (_lock)
            {
                if (--_leases == 0 && _evicted) ring.Dispose();
            }
        }

        private sealed class Release(Entry entry) : IDisposable
        {
            private int _done;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _done, 1) == 0) entry.Return();
            }
        }
    }
}
