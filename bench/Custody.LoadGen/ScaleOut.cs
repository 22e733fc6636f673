using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Ledger;
using Custody.Core.Policy;
using Custody.Storage;
using Custody.Storage.Postgres;
using Custody.Storage.Sqlite;
using Custody.TestKit;
using Custody.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Custody.LoadGen;

/// <summary>
/// custody-loadgen --engine sqlite|postgres [--daemons N], or --scale-out for the whole comparison in
/// one run: real custodyd processes (the built binary) on one installation, the embedded SQLite file
/// or one database of a throwaway PostgreSQL cluster started for the run, HD SignTransaction from
/// the clients spread over the daemons; then PostgreSQL's own rates on this machine (a round trip,
/// and a durable one-row commit: the no-op transaction), and the ledger's critical section: how long
/// a batch holds the audit head row, which every daemon's batches pass through one at a time.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class ScaleOut
{
    public static async Task<int> RunAsync(string[] args, int clients, TimeSpan duration, TimeSpan warmUp)
    {
        var engine = Program.StringArg(args, "--engine") ?? "postgres";
        var setups = args.Contains("--scale-out")
            ? new[] { ("sqlite", 1), ("postgres", 1), ("postgres", 2), ("postgres", 3) }
            : [(engine, int.TryParse(Program.StringArg(args, "--daemons"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1)];
        Console.WriteLine($"custody-loadgen scale-out: {clients} clients, {duration.TotalSeconds:F0} s per phase, {Environment.ProcessorCount} cores, daemons as child processes");
        var results = new List<(string Setup, Phase.Result Result)>();
        foreach (var (name, daemons) in setups)
        {
            var result = await SignAsync(name, daemons, clients, duration, warmUp);
            results.Add(($"{name}, {daemons} daemon{(daemons > 1 ? "s" : "")}", result));
            Console.WriteLine($"{results[^1].Setup,-24} {result}");
        }
        if (setups.Any(s => s.Item1 == "postgres"))
        {
            var database = PostgresCluster.Shared.CreateDatabase("bench");
            var roundTrip = await PostgresRateAsync(database, clients, duration, "SELECT 1", "PostgreSQL round trip (SELECT 1)");
            var commit = await PostgresRateAsync(database, clients, duration, "UPDATE noop SET n = n + 1 WHERE id = @id", "PostgreSQL no-op transaction (1-row commit)");
            var (held, batch, commits) = await CriticalSectionAsync(PostgresCluster.Shared.CreateDatabase("bench"), clients, duration);
            Console.WriteLine();
            foreach (var (setup, result) in results) Console.WriteLine($"{setup,-24} {result}");
            Console.WriteLine(roundTrip);
            Console.WriteLine(commit);
            Console.WriteLine(commits);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"audit head held per batch: mean {held.Mean:F2} ms, p50 {held.P50:F2} ms, p99 {held.P99:F2} ms, {batch:F1} commits per batch " +
                $"=> at most {1000 / held.Mean:F0} batches/s through the head row, {1000 / held.Mean * batch:F0} signatures/s at this batch size"));
        }
        return 0;
    }

    /// <summary>One installation on <paramref name="engine"/>, <paramref name="daemons"/> custodyd processes, HD signing from every client.</summary>
    private static async Task<Phase.Result> SignAsync(string engine, int daemons, int clients, TimeSpan duration, TimeSpan warmUp)
    {
        var root = Directory.CreateTempSubdirectory("custody-loadgen-").FullName;
        var dataDir = Path.Combine(root, "data");
        var environment = new Dictionary<string, string>();
        string? connectionString = null;
        if (engine == "postgres")
        {
            connectionString = PostgresCluster.Shared.CreateDatabase("bench");
            var file = Path.Combine(root, "ledger.connection");
            File.WriteAllText(file, connectionString);
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            environment["CUSTODY_STORAGE__ENGINE"] = "postgres";
            environment["CUSTODY_STORAGE__CONNECTIONSTRINGFILE"] = file;
        }
        var processes = new List<Process>();
        var channels = new List<GrpcChannel>();
        try
        {
            var adminToken = Program.Init(dataDir, environment);
            string signerToken;
            await using (var ledger = connectionString is null ? SqliteLedger.Open(new DataDirectory(dataDir)) : PostgresLedger.Open(connectionString))
                signerToken = (await ledger.Tokens.CreateAsync("loadgen", Roles.Signer, WalletScope.All, "loadgen", default)).Secret;
            var ports = Enumerable.Range(0, daemons).Select(_ => Program.FreePort()).ToArray();
            processes.AddRange(await Task.WhenAll(ports.Select(port => StartDaemonAsync(dataDir, port, clients, environment))));
            channels.AddRange(ports.Select(port => GrpcChannel.ForAddress($"http://127.0.0.1:{port}")));

            var admin = new Metadata { { "authorization", "Bearer " + adminToken } };
            var signer = new Metadata { { "authorization", "Bearer " + signerToken } };
            await new PolicyService.PolicyServiceClient(channels[0]).SetPolicyAsync(new SetPolicyRequest
            {
                Document = """{ "schema": "custody-policy/v1", "principals": ["loadgen"], "chains": { "eth": { "assets": { "native": {} } } } }""",
            }, admin);
            var wallet = await new WalletService.WalletServiceClient(channels[0]).CreateWalletAsync(new CreateWalletRequest { Name = "loadgen-hd", Kind = V1.WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, admin);
            long nonce = 0;
            var run = Guid.NewGuid().ToString("N")[..8];
            Func<int, long, Task> Sign(string tag) => (client, seq) =>
                new SigningService.SigningServiceClient(channels[client % channels.Count]).SignTransactionAsync(new SignTransactionRequest
                {
                    RequestId = $"{run}-{tag}-{client}-{seq}",
                    WalletId = wallet.WalletId,
                    Chain = "eth",
                    Payload = Program.Eip1559((ulong)Interlocked.Increment(ref nonce)),
                }, signer).ResponseAsync;
            await Phase.ClosedLoopAsync("warm-up", clients, warmUp, Sign("warm"));
            return await Phase.ClosedLoopAsync("SignTransaction EIP-1559, HD key", clients, duration, Sign("hd"));
        }
        finally
        {
            foreach (var channel in channels) channel.Dispose();
            foreach (var process in processes)
            {
                using (Process.Start("sh", ["-c", $"kill -TERM {process.Id}"])) { }
                if (!process.WaitForExit(TimeSpan.FromSeconds(30))) process.Kill(entireProcessTree: true);
                process.Dispose();
            }
            SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Commits (or round trips) per second from <paramref name="clients"/> connections of their own, synchronous_commit on.</summary>
    private static async Task<Phase.Result> PostgresRateAsync(string connectionString, int clients, TimeSpan duration, string statement, string name)
    {
        var connections = new NpgsqlConnection[clients];
        for (var i = 0; i < clients; i++)
        {
            connections[i] = new NpgsqlConnection(connectionString);
            await connections[i].OpenAsync();
        }
        try
        {
            await using (var setup = new NpgsqlCommand(
                $"CREATE TABLE IF NOT EXISTS noop (id int PRIMARY KEY, n bigint NOT NULL); INSERT INTO noop SELECT g, 0 FROM generate_series(0, {clients - 1}) g ON CONFLICT DO NOTHING",
                connections[0]))
                await setup.ExecuteNonQueryAsync();
            var commands = connections.Select((c, i) =>
            {
                var command = new NpgsqlCommand(statement, c);
                if (statement.Contains("@id", StringComparison.Ordinal)) command.Parameters.AddWithValue("id", i);
                command.Prepare();
                return command;
            }).ToArray();
            return await Phase.ClosedLoopAsync(name, clients, duration, (client, _) => commands[client].ExecuteNonQueryAsync());
        }
        finally
        {
            foreach (var connection in connections) await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// The ledger's commit alone on PostgreSQL (judge + reserve + record + reply, no gRPC, no HSM),
    /// from every client at once, while timing how long each batch holds the audit head row.
    /// </summary>
    private static async Task<((double Mean, double P50, double P99) Held, double Batch, Phase.Result Commits)> CriticalSectionAsync(string connectionString, int clients, TimeSpan duration)
    {
        await using var ledger = PostgresLedger.Open(connectionString);
        await ledger.Policy.PublishAsync(PolicyScope.Global,
            """{ "schema": "custody-policy/v1", "principals": ["loadgen"], "chains": { "eth": { "assets": { "native": {} } } } }""", "loadgen", null, default);
        var held = new List<double>();
        var measuring = false;
        ledger.Writer.AuditHeadHeld += t =>
        {
            if (Volatile.Read(ref measuring)) lock (held) held.Add(t.TotalMilliseconds);
        };
        var codec = ChainRegistry.Get("eth").Codec();
        long nonce = 0;
        Task Commit(int client, long seq)
        {
            var payload = Convert.FromHexString(Program.Eip1559((ulong)Interlocked.Increment(ref nonce))[2..]);
            var request = new SigningRequest($"commit-{client}-{seq}-{nonce}", "loadgen", "w_bench", ChainRegistry.Get("eth"), codec.Decode(payload),
                Convert.ToHexStringLower(Hashes.Sha256(payload)), DateTimeOffset.UtcNow);
            var record = new Core.Audit.AuditRecord { Principal = "loadgen", Action = Core.Audit.AuditActions.SignTransaction, WalletId = "w_bench", Chain = "eth" };
            return ledger.Signing.CommitAsync(SigningCommit.Signature(request, Hashes.Sha256(payload), record, new SignedResult("", Hashes.Sha256(payload), (_, _) => payload)));
        }
        await Phase.ClosedLoopAsync("warm-up", clients, TimeSpan.FromSeconds(2), Commit);
        var (commits0, changes0) = (ledger.Writer.Commits, ledger.Writer.Changes);
        Volatile.Write(ref measuring, true);
        var result = await Phase.ClosedLoopAsync("ledger commit alone on PostgreSQL (one process)", clients, duration, Commit);
        Volatile.Write(ref measuring, false);
        var batch = (double)(ledger.Writer.Changes - changes0) / Math.Max(1, ledger.Writer.Commits - commits0);
        lock (held)
        {
            held.Sort();
            return ((held.Average(), held[held.Count / 2], held[Math.Min(held.Count - 1, (int)(held.Count * 0.99))]), batch, result);
        }
    }

    private static async Task<Process> StartDaemonAsync(string dataDir, int port, int clients, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "custodyd.dll"), "--data-dir", dataDir, "--port", port.ToString(CultureInfo.InvariantCulture),
                     "--metrics-port", "0", "--http-port", "0", "--log-format", "json", "--Logging:LogLevel:Default=Warning", "--Limits:RequestsPerSecond=0",
                     $"--Limits:MaxConcurrentSignatures={Math.Max(clients, 4)}" })
            start.ArgumentList.Add(arg);
        if (environment.ContainsKey("CUSTODY_STORAGE__ENGINE"))
        {
            start.ArgumentList.Add("--Storage:Engine=postgres");
            start.ArgumentList.Add("--Storage:ConnectionStringFile=" + environment["CUSTODY_STORAGE__CONNECTIONSTRINGFILE"]);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        // Ready when it answers a health check.
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        for (var waited = Stopwatch.StartNew(); ; await Task.Delay(200))
        {
            if (process.HasExited) throw new InvalidOperationException($"custodyd exited with {process.ExitCode}");
            try
            {
                await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return process;
            }
            catch (RpcException) when (waited.Elapsed < TimeSpan.FromMinutes(1))
            {
            }
        }
    }
}
