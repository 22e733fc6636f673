using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Custody.Core.Chains;
using Custody.Core.Chains.Evm;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Daemon;
using Custody.Daemon.Wallets;
using Custody.Hsm;
using Custody.Core.Ledger;
using Custody.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Custody.LoadGen;

/// <summary>
/// custody-loadgen: on this machine, in one run, a fresh embedded installation and an in-process
/// daemon on loopback, then: the no-op Ping rate (the transport's limit), SignTransaction
/// (EIP-1559) with an HD key and with an HSM-native key from N clients for T seconds, the HD
/// signing latency at 80 % of its measured throughput, and the raw in-process signing rates
/// (libsecp256k1, the HD path without gRPC, SoftHSM CKM_ECDSA). Same host, same run: the
/// ratios hold on a noisy machine.
///   dotnet run -c Release --project bench/Custody.LoadGen -- [--clients 16] [--seconds 5] [--warmup 10] [--only ping,hd,...]
///   dotnet run -c Release --project bench/Custody.LoadGen -- --scale-out | --engine sqlite|postgres [--daemons N]   (see ScaleOut)
/// --velocity judges under a 24 h velocity limit; --repeat N runs the HD phases N times and reports medians; --levels 40,60 adds open-loop HD phases at those percentages of the measured rate; --histograms prints the daemon's latency buckets; --startup N times opening a ledger with an N-record audit log; --warmup S (default 10) warms every path up before measuring; --only runs the named phases (ping, hd, hd80 — with the --levels phases —, native, raw, inproc, pipeline, commit, softhsm, disk), e.g. under a profiler.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var clients = IntArg(args, "--clients", 16);
        var seconds = IntArg(args, "--seconds", 5);
        var duration = TimeSpan.FromSeconds(seconds);
        // --engine sqlite|postgres [--daemons N], --scale-out: daemons as processes on one ledger (ScaleOut).
        if (OperatingSystem.IsLinux() && (args.Contains("--scale-out") || args.Contains("--engine") || args.Contains("--daemons")))
            return await ScaleOut.RunAsync(args, clients, duration, TimeSpan.FromSeconds(IntArg(args, "--warmup", 10)));
        var only = StringArg(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        bool Want(string phase) => only is null || only.Contains(phase, StringComparer.OrdinalIgnoreCase);
        var dataDir = Directory.CreateTempSubdirectory("custody-loadgen-").FullName;
        try
        {
            var adminToken = Init(dataDir);
            var port = FreePort();
            var metricsPort = FreePort();
            var app = DaemonHost.Build(
                ["--data-dir", dataDir, "--port", port.ToString(CultureInfo.InvariantCulture), "--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture), "--http-port", "0",
                 "--Limits:RequestsPerSecond=0", $"--Limits:MaxConcurrentSignatures={Math.Max(clients, 4)}"],
                builder => builder.Logging.ClearProviders());
            await app.StartAsync();
            var ledger = app.Services.GetRequiredService<ILedger>();
            var signerToken = (await ledger.Tokens.CreateAsync("loadgen", Roles.Signer, WalletScope.All, "loadgen", CancellationToken.None)).Secret;
            Console.WriteLine($"custody-loadgen: {clients} clients, {seconds} s per phase, {Environment.ProcessorCount} cores, daemon in process on 127.0.0.1:{port} (logging off)");

            var channels = Enumerable.Range(0, Math.Min(clients, 4)).Select(_ => GrpcChannel.ForAddress($"http://127.0.0.1:{port}")).ToArray();
            var admin = new Metadata { { "authorization", "Bearer " + adminToken } };
            var signer = new Metadata { { "authorization", "Bearer " + signerToken } };
            var wallets = new WalletService.WalletServiceClient(channels[0]);
            await new PolicyService.PolicyServiceClient(channels[0]).SetPolicyAsync(new SetPolicyRequest
            {
                // --velocity adds a 24 h velocity limit that never binds: every admission then sums the day's ledger.
                Document = args.Contains("--velocity")
                    ? """{ "schema": "custody-policy/v1", "principals": ["loadgen"], "chains": { "eth": { "assets": { "native": { "velocity": [ { "window": "24h", "maxAmount": "1000000000000000000000000000" } ] } } } } }"""
                    : """{ "schema": "custody-policy/v1", "principals": ["loadgen"], "chains": { "eth": { "assets": { "native": {} } } } }""",
            }, admin);
            var hd = await wallets.CreateWalletAsync(new CreateWalletRequest { Name = "loadgen-hd", Kind = V1.WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, admin);
            var native = await wallets.CreateWalletAsync(new CreateWalletRequest { Name = "loadgen-native", Kind = V1.WalletKind.HsmNative, Curve = Custody.V1.KeyCurve.Secp256K1, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, admin);
            // Every request a new transaction (its own nonce), as a wallet back end sends them: the policy
            // remembers each nonce it admitted, and the same nonce under many request ids is not real traffic.
            long nonce = 0;
            string NextPayload() => Eip1559((ulong)Interlocked.Increment(ref nonce));
            var sample = Eip1559(0);
            var run = Guid.NewGuid().ToString("N")[..8];

            Task Ping(int client, long seq) =>
                new SystemService.SystemServiceClient(channels[client % channels.Length]).PingAsync(new PingRequest(), signer).ResponseAsync;
            Func<int, long, Task> Sign(Wallet wallet, string tag) => (client, seq) =>
                new SigningService.SigningServiceClient(channels[client % channels.Length]).SignTransactionAsync(new SignTransactionRequest
                {
                    RequestId = $"{run}-{tag}-{client}-{seq}",
                    WalletId = wallet.WalletId,
                    Chain = "eth",
                    Payload = NextPayload(),
                }, signer).ResponseAsync;

            // Warm up every path (pools, account xpub, and the JIT: tiered compilation keeps
            // recompiling hot methods for several seconds, a fifth of the CPU on 2 cores), then measure.
            var warmUp = TimeSpan.FromSeconds(IntArg(args, "--warmup", 10));
            await Phase.ClosedLoopAsync("warm-up", clients, warmUp / 4, Ping);
            await Phase.ClosedLoopAsync("warm-up", clients, warmUp / 4, Sign(native, "warm-native"));
            await Phase.ClosedLoopAsync("warm-up", clients, warmUp / 2, Sign(hd, "warm"));

            var results = new List<Phase.Result>();
            var device = DiskCounters.For(dataDir);
            async Task<Phase.Result?> Run(string phase, Func<Task<Phase.Result>> measure)
            {
                if (!Want(phase)) return null;
                var (pause, gen0, gen2, allocated) = (GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalAllocatedBytes());
                var diskBefore = device?.Read();
                var result = await measure();
                var diskAfter = device?.Read();
                results.Add(result);
                Console.WriteLine(result); // as it comes, so a long run shows progress
                var calls = Math.Max(1, result.Calls);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    GC in this phase: {GC.CollectionCount(0) - gen0} collections ({GC.CollectionCount(2) - gen2} gen2), paused {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0} ms, " +
                    $"{(GC.GetTotalAllocatedBytes() - allocated) / calls / 1024.0:F1} KiB allocated per call (client and daemon)"));
                if (diskBefore is { } b && diskAfter is { } a && a.Writes > b.Writes)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"    disk in this phase: {(a.Bytes - b.Bytes) / calls / 1024.0:F1} KiB in {(double)(a.Writes - b.Writes) / calls:F1} writes per call, " +
                        $"{(a.Bytes - b.Bytes) / result.Seconds / 1048576:F0} MiB/s, {(double)(a.WriteMs - b.WriteMs) / (a.Writes - b.Writes):F2} ms per write (the whole device); " +
                        $"this process: {(a.ProcessBytes - b.ProcessBytes) / calls / 1024.0:F1} KiB per call"));
                return result;
            }

            var ping = await Run("ping", () => Phase.ClosedLoopAsync("gRPC no-op (Ping, authenticated)", clients, duration, Ping));
            // --repeat N: the HD phases N times over (the p99 of one 5 s phase swings widely on a shared host); the summary takes medians.
            var hdRuns = new List<Phase.Result>();
            var hd80Runs = new List<Phase.Result>();
            // --levels 40,60: the same open loop at other fractions of the measured rate (where the latency curve bends).
            var levels = (StringArg(args, "--levels") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(level => int.Parse(level, CultureInfo.InvariantCulture)).ToArray();
            var repeat = IntArg(args, "--repeat", 1);
            for (var round = 0; round < repeat; round++)
            {
                var measured = await Run("hd", () => Phase.ClosedLoopAsync("SignTransaction EIP-1559, HD key", clients, duration, Sign(hd, $"hd-round{round}")));
                if (measured is null) break;
                hdRuns.Add(measured);
                if (await Run("hd80", () => Phase.OpenLoopAsync("SignTransaction HD at 80 % of that rate", clients, duration, 0.8 * measured.Rate, Sign(hd, $"hd80-{round}"))) is { } at80)
                    hd80Runs.Add(at80);
                foreach (var percent in levels)
                    await Run("hd80", () => Phase.OpenLoopAsync($"SignTransaction HD at {percent} % of that rate", clients, duration, percent / 100.0 * measured.Rate, Sign(hd, $"hd{percent}-{round}")));
            }
            var hdSign = Median(hdRuns, r => r.Rate);
            var hd80 = Median(hd80Runs, r => r.P99Ms);
            // Memory under that load: this process holds the daemon and the clients, so it bounds the daemon's.
            var rssMb = Environment.WorkingSet / 1048576.0;
            // One client alone: the latency of a signature when nothing queues.
            var hd1 = await Run("hd1", () => Phase.ClosedLoopAsync("SignTransaction HD, one client", 1, duration, Sign(hd, "hd1")));
            var nativeSign = await Run("native", () => Phase.ClosedLoopAsync("SignTransaction EIP-1559, HSM-native key", clients, duration, Sign(native, "native")));

            // Raw in-process rates, on as many threads as there are cores.
            var threads = Environment.ProcessorCount;
            var digest = Hashes.Keccak256(Convert.FromHexString(sample[2..]));
            var priv = Hashes.Sha256("loadgen key"u8);
            await Run("raw", () => Task.FromResult(Phase.Threads("raw libsecp256k1 ECDSA sign (in process)", threads, duration, _ => Secp256k1.Sign(priv, digest))));

            var keys = app.Services.GetRequiredService<WalletKeyVault>();
            var hdRecord = (await ledger.Wallets.GetAsync(hd.WalletId, default))!;
            var codec = ChainRegistry.Get("eth").Codec();
            var unsigned = Convert.FromHexString(sample[2..]);
            var path = KeyPath.Parse("m/44'/60'/0'/0/0");
            await Run("inproc", () => Task.FromResult(Phase.Threads("HD path in process: unseal+derive+sign", threads, duration, _ =>
            {
                using var lease = keys.Open(hdRecord, Custody.Core.Chains.KeyCurve.Secp256k1);
                codec.Sign(unsigned, lease.Ring, path);
            })));

            // The whole pipeline (idempotency, decode, policy, audit, sign, reply store) without gRPC.
            var pipeline = app.Services.GetRequiredService<Custody.Daemon.Signing.SigningPipeline>();
            var caller = new Custody.Daemon.Auth.Caller("loadgen", "tok_loadgen", Roles.Signer, WalletScope.All, null);
            await Run("pipeline", () => Phase.ClosedLoopAsync("SigningPipeline in process (no gRPC)", clients, duration, (client, seq) =>
                pipeline.SignTransactionAsync(caller, new SignTransactionRequest
                {
                    RequestId = $"{run}-pipe-{client}-{seq}",
                    WalletId = hd.WalletId,
                    Chain = "eth",
                    Payload = NextPayload(),
                }, CancellationToken.None)));

            // The ledger's durable commit alone: judged under the lock, reserved, recorded, reply stored.
            var hdSigner = new SignerKey(path, await app.Services.GetRequiredService<WalletRepository>().PublicKeyAsync(hdRecord, ChainRegistry.Get("eth"), path, "loadgen", default));
            await Run("commit", () => Phase.ClosedLoopAsync("ledger commit alone (judge + reserve + record + reply)", clients, duration, (client, seq) =>
            {
                var payload = Convert.FromHexString(NextPayload()[2..]);
                var request = new Custody.Core.Policy.SigningRequest($"{run}-commit-{client}-{seq}", "loadgen", hd.WalletId, ChainRegistry.Get("eth"),
                    codec.Decode(payload, hdSigner), Convert.ToHexStringLower(Hashes.Sha256(payload)), DateTimeOffset.UtcNow, path);
                var record = new Custody.Core.Audit.AuditRecord { Principal = "loadgen", Action = Custody.Core.Audit.AuditActions.SignTransaction, WalletId = hd.WalletId, Chain = "eth" };
                return ledger.Signing.CommitAsync(SigningCommit.Signature(request, Hashes.Sha256(payload), record,
                    new SignedResult("", Hashes.Sha256(payload), (_, _) => payload)));
            }));

            var hsm = app.Services.GetRequiredService<HsmConnection>();
            var nativeKey = HsmKeyId.Parse((await ledger.Wallets.GetAsync(native.WalletId, default))!.HsmKeyId!);
            var softHsm = await Run("softhsm", () => Task.FromResult(Phase.Threads("raw SoftHSM CKM_ECDSA secp256k1 sign", threads, duration, _ => hsm.Keys.SignDigest(nativeKey, digest))));

            // --startup N: how long opening a ledger takes with an N-record audit log (the head keeps the frontier: no replay).
            if (IntArg(args, "--startup", 0) is > 0 and var size) await StartupAsync(size);

            // The disk's own limit on durable commits, beside the data files: each thread overwrites
            // 40 KiB (ten pages, about what one policy or audit commit adds to its WAL) and syncs.
            var disk = await Run("disk", () => Task.FromResult(DurableWrites(dataDir, threads, duration)));

            Console.WriteLine();
            foreach (var result in results) Console.WriteLine(result);
            var inproc = results.FirstOrDefault(r => r.Name.StartsWith("HD path in process", StringComparison.Ordinal));
            if (ping is not null && inproc is not null)
            {
                // What the transport and the key path allow together, measured in this run.
                var bound = 1 / (1 / ping.Rate + 1 / inproc.Rate);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bound 1/(1/Ping + 1/HD-in-process) = {bound:N0}/s"));
                if (hdSign is not null)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"HD SignTransaction / bound = {hdSign.Rate / bound:P0} (aim: 50 %)"));
            }
            if (ping is not null && hdSign is not null)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"HD signing / no-op gRPC = {hdSign.Rate / ping.Rate:P0}"));
            if (hd1 is not null)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one client alone: p50 {hd1.P50Ms:F2} ms, p99 {hd1.P99Ms:F2} ms (aim: p50 1 ms)"));
            if (hdSign is not null)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"process RSS after the HD phases: {rssMb:F0} MB (daemon and clients; aim: daemon 200 MB)"));
            if (hd80 is not null)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p99 at 80 % load = {hd80.P99Ms:F2} ms") + (hd80Runs.Count == 1 ? "" :
                    $" (median of {hd80Runs.Count}: {string.Join(", ", hd80Runs.Select(r => r.P99Ms.ToString("F1", CultureInfo.InvariantCulture)))})"));
            if (nativeSign is not null && softHsm is not null)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"HSM-native signing / raw SoftHSM = {nativeSign.Rate / softHsm.Rate:P0}"));
            if (hdSign is not null && disk is not null)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"HD signatures per second / durable writes per second = {hdSign.Rate / disk.Rate:P0} (each signature waits for one commit, group-committed)"));

            using (var http = new HttpClient())
            {
                var page = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
                if (args.Contains("--histograms"))
                    foreach (var line in page.Split('\n').Where(l => l.Contains("_bucket", StringComparison.Ordinal) && !l.Contains("custody_grpc", StringComparison.Ordinal)))
                        Console.WriteLine(line);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"daemon means over the run: audit append {MeanMs(page, "custody_audit_write_duration_seconds", "{}")} ms, " +
                    $"HSM unseal {MeanMs(page, "custody_hsm_operation_duration_seconds", "{operation=\"unseal\"}")} ms, " +
                    $"HSM sign {MeanMs(page, "custody_hsm_operation_duration_seconds", "{operation=\"sign\"}")} ms, " +
                    $"derive+sign in process {MeanMs(page, "custody_signing_duration_seconds", "{}")} ms, " +
                    $"reply lookup {MeanMs(page, "custody_signing_stage_duration_seconds", "{stage=\"lookup\"}")} ms, " +
                    $"policy judgement {MeanMs(page, "custody_signing_stage_duration_seconds", "{stage=\"judge\"}")} ms"));
            }

            foreach (var channel in channels) channel.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>custody-admin init (the real binary) on a fresh directory; returns the admin token.</summary>
    internal static string Init(string dataDir, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "custody-admin.dll"));
        foreach (var arg in new[] { "init", "--data-dir", dataDir }) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException("custody-admin init failed: " + stderr);
        return File.ReadAllText(stdout.Trim()).Trim();
    }

    private static Phase.Result DurableWrites(string dataDir, int threads, TimeSpan duration)
    {
        var files = Enumerable.Range(0, threads).Select(t => File.OpenHandle(Path.Combine(dataDir, $"disk-probe-{t}"), FileMode.Create, FileAccess.ReadWrite)).ToArray();
        try
        {
            var block = new byte[40 * 1024];
            var offsets = new long[threads];
            return Phase.Threads("raw durable write: 40 KiB + fsync per file", threads, duration, t =>
            {
                RandomAccess.Write(files[t], block, offsets[t]);
                offsets[t] = (offsets[t] + block.Length) % (4 << 20); // a 4 MiB file rewritten in place, as a WAL is
                RandomAccess.FlushToDisk(files[t]);
            });
        }
        finally
        {
            foreach (var file in files) file.Dispose();
        }
    }

    internal static string Eip1559(ulong nonce) => "0x" + Convert.ToHexStringLower(new EvmTransaction
    {
        Type = EvmTransactionType.DynamicFee,
        ChainId = 1,
        Nonce = nonce,
        MaxPriorityFeePerGas = 1_000_000_000,
        MaxFeePerGas = 30_000_000_000,
        GasLimit = 21_000,
        To = EvmAddress.Parse("0x3535353535353535353535353535353535353535"),
        Value = BigInteger.Pow(10, 16),
    }.EncodeUnsigned());

    /// <summary>The run with the median <paramref name="key"/> (the upper one of an even count); null for none.</summary>
    private static Phase.Result? Median(List<Phase.Result> runs, Func<Phase.Result, double> key) =>
        runs.Count == 0 ? null : runs.OrderBy(key).ElementAt(runs.Count / 2);

    /// <summary>sum / count of a histogram on a Prometheus page, in milliseconds.</summary>
    private static string MeanMs(string page, string name, string labels)
    {
        double Sample(string suffix) => page.Split('\n').Where(l => l.StartsWith(name + suffix + labels + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).FirstOrDefault();
        var count = Sample("_count");
        return count == 0 ? "n/a" : (1000 * Sample("_sum") / count).ToString("F2", CultureInfo.InvariantCulture);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string? StringArg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Builds a ledger with <paramref name="records"/> audit records, then opens it five times and prints each time.</summary>
    private static async Task StartupAsync(int records)
    {
        var directory = Directory.CreateTempSubdirectory("custody-startup-").FullName;
        try
        {
            using var signer = new Custody.Core.Audit.Ed25519CheckpointSigner("loadgen/audit", Hashes.Sha256("startup"u8));
            var path = Path.Combine(directory, "custody.db");
            var options = new Custody.Storage.LedgerOptions { CheckpointSigner = signer, MaxBatch = 4096, CheckpointEvery = 100_000 };
            var record = new Custody.Core.Audit.AuditRecord
            {
                Principal = "loadgen", Action = Custody.Core.Audit.AuditActions.SignTransaction, WalletId = "w_startup", Chain = "eth",
                RequestDigest = Hashes.Sha256("request"u8), Decision = Custody.Core.Policy.PolicyOutcome.Allow, Rule = "allow", ResultDigest = Hashes.Sha256("result"u8),
                Details = new Dictionary<string, string> { ["request_id"] = "loadgen-startup", ["policy_version"] = "1" },
            };
            var filling = System.Diagnostics.Stopwatch.StartNew();
            await using (var ledger = Custody.Storage.Ledger.Open(new Custody.Storage.Sqlite.SqliteEngine(path), options))
            {
                for (var done = 0; done < records; done += 8192)
                    await Task.WhenAll(Enumerable.Range(0, Math.Min(8192, records - done)).Select(_ => ledger.Audit.AppendAsync(record)));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"startup: {records:N0} records written in {filling.Elapsed.TotalSeconds:F0} s"));
            var times = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var opening = System.Diagnostics.Stopwatch.StartNew();
                await using (var ledger = Custody.Storage.Ledger.Open(new Custody.Storage.Sqlite.SqliteEngine(path), options with { CheckpointInterval = TimeSpan.Zero }))
                    times.Add(opening.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"startup: opening a ledger of {records:N0} records took {string.Join(", ", times.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} ms (aim: under 1 s)"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
    }
}
