using System.Globalization;
using System.Text;

namespace Custody.Daemon.Metrics;

/// <summary>A Prometheus histogram of durations in seconds: fixed buckets, lock-free updates.</summary>
public sealed class Histogram
{
    /// <summary>From 100 µs to 10 s: signing sits in the low milliseconds, HSM trouble in seconds.</summary>
    public static readonly double[] DefaultBounds =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly double[] _bounds;
    private readonly long[] _counts; // per bucket, not cumulative; the last one is +Inf
    private long _sumMicros;

    public Histogram(double[]? bounds = null)
    {
        _bounds = bounds ?? DefaultBounds;
        _counts = new long[_bounds.Length + 1];
    }

    public void Observe(TimeSpan duration)
    {
        var seconds = duration.TotalSeconds;
        var i = 0;
        while (i < _bounds.Length && seconds > _bounds[i]) i++;
        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumMicros, (long)(duration.Ticks / 10.0));
    }

    public void WriteTo(StringBuilder text, string name, string labels)
    {
        var cumulative = 0L;
        var prefix = labels.Length == 0 ? "" : labels + ",";
        for (var i = 0; i < _counts.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            var le = i < _bounds.Length ? _bounds[i].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
            text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"").Append(le).Append("\"} ")
                .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        var braces = labels.Length == 0 ? "" : "{" + labels + "}";
        text.Append(name).Append("_sum").Append(braces).Append(' ')
            .Append((Interlocked.Read(ref _sumMicros) / 1e6).ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        text.Append(name).Append("_count").Append(braces).Append(' ')
            .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }
}
