using System.Diagnostics;
using System.Globalization;
using Custody.Core.Chains;
using Custody.Hsm;
using Custody.Hsm.Embedded;

namespace Custody.Bench.Hsm;

/// <summary>
/// Console mode (`-- hsm [--seconds S] [--threads N]`): HSM operations per second on a throwaway
/// SoftHSM token, first on one thread, then on N threads sharing one <see cref="HsmConnection"/>
/// (one session each). Cheaper than BenchmarkDotNet and enough here: each operation is a native
/// call of 0.02–0.5 ms, so timer and loop overheads do not matter.
/// </summary>
internal static class HsmThroughput
{
    public static int Run(string[] args)
    {
        var seconds = Option(args, "--seconds", 3.0);
        var threads = (int)Option(args, "--threads", 2.0);
        var root = Directory.CreateTempSubdirectory("custody-bench-hsm-").FullName;
        try
        {
            var embedded = EmbeddedSoftHsm.Prepare(root, "custody-bench");
            using var hsm = HsmConnection.Open(embedded.Options with { MaxSessions = Math.Max(threads, 1) });
            var secp = hsm.Keys.Generate(KeyCurve.Secp256k1);
            var ed = hsm.Keys.Generate(KeyCurve.Ed25519);
            hsm.Keks.Ensure(1);
            var sealer = hsm.CreateSealer(1);
            var blob = sealer.Seal(hsm.Random.GetBytes(64), "bench"u8);
            var digest = hsm.Random.GetBytes(32);
            var message = hsm.Random.GetBytes(256);

            Console.WriteLine($"HSM throughput on {hsm.ModulePath}, {seconds:0.#} s per figure, {Environment.ProcessorCount} cores");
            Console.WriteLine($"{"operation",-48}{"1 thread",14}{threads + " threads",14}");
            Measure("secp256k1 sign (CKM_ECDSA, 32-byte digest, low-S)", () => hsm.Keys.SignDigest(secp.Id, digest), seconds, threads);
            Measure("ed25519 sign (CKM_EDDSA, 256-byte message)", () => hsm.Keys.SignMessage(ed.Id, message), seconds, threads);
            Measure("unseal (AES-256-GCM, 64-byte secret)", () => sealer.Unseal(blob, "bench"u8).Dispose(), seconds, threads);
            Measure("seal (AES-256-GCM + HSM IV, 64 bytes)", () => sealer.Seal(digest.AsSpan(0, 32), "bench"u8), seconds, threads);
            Measure("random 32 bytes", () => hsm.Random.GetBytes(32), seconds, threads);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Measure(string name, Action operation, double seconds, int threads)
    {
        Rate(operation, 0.3, 1); // warm-up: JIT, sessions, handle cache
        var single = Rate(operation, seconds, 1);
        var multi = Rate(operation, seconds, threads);
        Console.WriteLine($"{name,-48}{single,12:N0}/s{multi,12:N0}/s");
    }

    private static double Rate(Action operation, double seconds, int threads)
    {
        long total = 0;
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            long count = 0;
            while (clock.Elapsed < deadline)
            {
                operation();
                count++;
            }
            Interlocked.Add(ref total, count);
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return total / clock.Elapsed.TotalSeconds;
    }

    private static double Option(string[] args, string name, double fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? double.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
