namespace Custody.Daemon.Limits;

/// <summary>A token bucket: refills at a steady rate up to a burst; a call takes one token or is refused.</summary>
public sealed class TokenBucket(double ratePerSecond, int burst, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private double _tokens = burst;
    private long _last = clock.GetTimestamp();

    public bool TryTake()
    {
        lock (_lock)
        {
            var now = clock.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + (now - _last) * ratePerSecond / clock.TimestampFrequency);
            _last = now;
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }
}
