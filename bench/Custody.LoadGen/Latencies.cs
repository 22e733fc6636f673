using System.Diagnostics;

namespace Custody.LoadGen;

/// <summary>Call latencies of one phase, recorded per worker without locks, merged for percentiles.</summary>
internal sealed class Latencies
{
    private readonly List<long>[] _perWorker;

    public Latencies(int workers) => _perWorker = [.. Enumerable.Range(0, workers).Select(_ => new List<long>(1 << 16))];

    public int Failures;

    private string? _firstFailure;

    public string? FirstFailure => Volatile.Read(ref _firstFailure);

    public void Failed(Exception e)
    {
        Interlocked.Increment(ref Failures);
        Interlocked.CompareExchange(ref _firstFailure, e is Grpc.Core.RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message, null);
    }

    public void Record(int worker, long ticks) => _perWorker[worker].Add(ticks);

    public int Count => _perWorker.Sum(l => l.Count);

    public double PercentileMs(double p)
    {
        var all = _perWorker.SelectMany(l => l).ToArray();
        if (all.Length == 0) return double.NaN;
        Array.Sort(all);
        var index = Math.Clamp((int)Math.Ceiling(p / 100 * all.Length) - 1, 0, all.Length - 1);
        return all[index] * 1000.0 / Stopwatch.Frequency;
    }
}
