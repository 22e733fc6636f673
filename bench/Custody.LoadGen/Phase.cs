using System.Diagnostics;
using System.Globalization;

namespace Custody.LoadGen;

/// <summary>One measured phase: N workers for T seconds, closed loop (as fast as answers come) or open loop at a fixed rate.</summary>
internal static class Phase
{
    public sealed record Result(string Name, int Workers, double Seconds, int Calls, int Failures, double P50Ms, double P99Ms, string? FirstFailure = null)
    {
        public double Rate => Calls / Seconds;

        // A phase with failures says what the first one was: a rate with failures is not a rate.
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Name,-46} {Workers,3} workers {Rate,9:F0}/s   p50 {P50Ms,7:F2} ms   p99 {P99Ms,7:F2} ms   ({Calls} ok, {Failures} failed)") +
            (FirstFailure is null ? "" : $"\n    first failure: {FirstFailure}");
    }

    /// <summary>Each worker calls <paramref name="call"/>(worker, sequence) back to back until the time is up.</summary>
    public static async Task<Result> ClosedLoopAsync(string name, int workers, TimeSpan duration, Func<int, long, Task> call)
    {
        var latencies = new Latencies(workers);
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            for (long seq = 0; Stopwatch.GetTimestamp() < stopAt; seq++)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await call(worker, seq);
                    latencies.Record(worker, Stopwatch.GetTimestamp() - t0);
                }
                catch (Exception e)
                {
                    latencies.Failed(e);
                }
            }
        })));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new Result(name, workers, seconds, latencies.Count, latencies.Failures, latencies.PercentileMs(50), latencies.PercentileMs(99), latencies.FirstFailure);
    }

    /// <summary>
    /// Calls at <paramref name="ratePerSecond"/> in total, spread over the workers. A call sent late
    /// because the worker's previous call was still running is charged from its scheduled start (the
    /// wait is the daemon's doing); a call sent from an idle worker is timed from when it is sent,
    /// since the worker's timer itself fires up to ~4 ms late on this host (p99), which is ours.
    /// </summary>
    public static async Task<Result> OpenLoopAsync(string name, int workers, TimeSpan duration, double ratePerSecond, Func<int, long, Task> call)
    {
        var latencies = new Latencies(workers);
        var interval = (long)(Stopwatch.Frequency * workers / ratePerSecond);
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            var next = started + worker * interval / workers;
            for (long seq = 0; next < stopAt; seq++, next += interval)
            {
                var wait = next - Stopwatch.GetTimestamp();
                var from = next;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                    from = Stopwatch.GetTimestamp();
                }
                try
                {
                    await call(worker, seq);
                    latencies.Record(worker, Stopwatch.GetTimestamp() - from);
                }
                catch (Exception e)
                {
                    latencies.Failed(e);
                }
            }
        })));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new Result(name, workers, seconds, latencies.Count, latencies.Failures, latencies.PercentileMs(50), latencies.PercentileMs(99), latencies.FirstFailure);
    }

    /// <summary>In-process work on <paramref name="threads"/> dedicated threads for the given time.</summary>
    public static Result Threads(string name, int threads, TimeSpan duration, Action<int> work)
    {
        var counts = new long[threads];
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                work(t);
                counts[t]++;
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new Result(name, threads, seconds, (int)counts.Sum(), 0, double.NaN, double.NaN);
    }
}
