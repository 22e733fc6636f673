using Custody.Daemon.Configuration;
using Custody.Daemon.Errors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Custody.Daemon.Limits;

/// <summary>
/// Bounded concurrency for signing. A request that finds every slot busy is refused at
/// once (RESOURCE_EXHAUSTED) rather than queued: under overload a client learns in
/// microseconds to back off, and latency of admitted requests stays flat. Once the host
/// is stopping, new requests are refused (UNAVAILABLE) while admitted ones finish.
/// </summary>
public sealed class SigningSlots : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly CancellationToken _stopping;

    public SigningSlots(IOptions<DaemonOptions> options, IHostApplicationLifetime lifetime)
    {
        Capacity = options.Value.Limits.EffectiveMaxConcurrentSignatures;
        _slots = new SemaphoreSlim(Capacity, Capacity);
        _stopping = lifetime.ApplicationStopping;
    }

    public int Capacity { get; }

    public int InUse => Capacity - _slots.CurrentCount;

    /// <summary>A slot, released on dispose; throws when none is free or the host is stopping.</summary>
    public Slot Enter()
    {
        if (_stopping.IsCancellationRequested) throw ApiException.ShuttingDown();
        if (!_slots.Wait(0)) throw ApiException.Overloaded();
        return new Slot(_slots);
    }

    public void Dispose() => _slots.Dispose();

    public readonly struct Slot(SemaphoreSlim slots) : IDisposable
    {
        public void Dispose() => slots.Release();
    }
}
