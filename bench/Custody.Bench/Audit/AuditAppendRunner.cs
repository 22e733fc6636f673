using System.Diagnostics;
using System.Globalization;
using Custody.Core.Audit;
using Custody.Core.Audit.Notes;
using Custody.Core.Crypto;
using Custody.Storage;
using Custody.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Custody.Bench.Audit;

/// <summary>
/// Durable audit appends per second through the ledger's writer on a real temporary SQLite file
/// (WAL, synchronous=FULL): one writer awaiting each append, then 64 concurrent writers sharing commits.
/// <c>dotnet run -c Release --project bench/Custody.Bench -- audit --seconds 3</c>
/// </summary>
internal static class AuditAppendRunner
{
    public static int Run(string[] args)
    {
        var seconds = 3.0;
        for (var i = 0; i + 1 < args.Length; i++)
            if (args[i] == "--seconds") seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromSeconds(seconds);
        Console.WriteLine($"durable audit appends, {seconds:0.#} s each, SQLite WAL + synchronous=FULL on {Path.GetTempPath()}, checkpoint every 1000 records");
        Measure("1 writer, sequential awaits", 1, duration).GetAwaiter().GetResult();
        Measure("64 concurrent writers (group commit)", 64, duration).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task Measure(string name, int writers, TimeSpan duration)
    {
        var directory = Directory.CreateTempSubdirectory("custody-audit-bench-").FullName;
        try
        {
            using var signer = new Ed25519CheckpointSigner("bench/audit", Hashes.Sha256("bench audit key"u8));
            var path = Path.Combine(directory, "custody.db");
            var record = new AuditRecord
            {
                Principal = "bench-client",
                Action = "sign",
                WalletId = "wallet-1",
                Chain = "btc",
                RequestDigest = Hashes.Sha256("request"u8),
                Decision = Core.Policy.PolicyOutcome.Allow,
                Rule = "default",
                ResultDigest = Hashes.Sha256("result"u8),
                Details = new Dictionary<string, string> { ["amount_sat"] = "125000", ["to"] = "bc1qexample" },
            };
            long appended, commits;
            TimeSpan elapsed;
            await using (var ledger = Ledger.Open(new SqliteEngine(path), new LedgerOptions { CheckpointSigner = signer, CheckpointEvery = 1000 }))
            {
                var log = ledger.Audit;
                for (var i = 0; i < 100; i++) await log.AppendAsync(record);
                var startCommits = ledger.Writer.Commits;
                long count = 0;
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
                {
                    while (clock.Elapsed < duration)
                    {
                        await log.AppendAsync(record);
                        Interlocked.Increment(ref count);
                    }
                })));
                elapsed = clock.Elapsed;
                appended = count;
                commits = ledger.Writer.Commits - startCommits;
            }
            var verify = Stopwatch.StartNew();
            AuditVerification verdict;
            await using (var reader = SqliteLedger.OpenReadOnly(path))
                verdict = await reader.Audit.VerifyAsync(NoteVerifierKey.For(signer), null, default);
            verify.Stop();
            Console.WriteLine(
                $"{name,-40} {appended / elapsed.TotalSeconds,10:N0} appends/s   {(double)appended / commits,7:N1} records/commit   "
                + $"verify {verdict.RecordCount:N0} records in {verify.Elapsed.TotalMilliseconds:N0} ms ({(verdict.IsIntact ? "intact" : verdict.ToString())})");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
