using System.Collections.Concurrent;
using Custody.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit.Abstractions;

namespace Custody.Daemon.Tests;

/// <summary>
/// Issue 16: a real custodyd killed with SIGKILL under signing load, again and again. After every
/// restart: every acknowledged reply is stored and a retry returns it byte for byte; every request
/// the client saw fail is retried and signs once; no request id signs twice; no record says
/// "allowed" without saying how it ended; the audit log verifies. The suite runs a few rounds;
/// CUSTODY_CRASH_ROUNDS=20 runs the twenty (docs/performance.md says how).
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("custody-crash-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Killed_under_load_it_loses_nothing_acknowledged_and_signs_nothing_twice()
    {
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("CUSTODY_CRASH_ROUNDS"), out var r) ? r : 4;
        var adminToken = File.ReadAllText(ChildProcess.AdminSucceeds("init", "--data-dir", _dataDir).Stdout.Trim()).Trim();
        var signerFile = Path.Combine(_dataDir, "signer.token");
        ChildProcess.AdminSucceeds("token", "create", "--data-dir", _dataDir, "--operator", "tests", "--principal", "signer-1", "--roles", "signer", "--output", signerFile);
        var signer = DaemonFixture.Bearer(File.ReadAllText(signerFile).Trim());
        var admin = DaemonFixture.Bearer(adminToken);
        var port = FreePort.Next();

        // What the clients were told: request id → the reply bytes, for those acknowledged.
        var acknowledged = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
        var sent = new ConcurrentDictionary<string, SignTransactionRequest>(StringComparer.Ordinal);
        string? wallet = null;
        var nonce = 0L;

        for (var round = 0; round <= rounds; round++)
        {
            using var daemon = await ChildProcess.StartAsync(ChildProcess.Custodyd,
                ["--data-dir", _dataDir, "--port", port.ToString(), "--metrics-port", "0", "--http-port", "0", "--Limits:RequestsPerSecond=0"]);
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
            var signing = new SigningService.SigningServiceClient(channel);
            if (wallet is null)
            {
                await new PolicyService.PolicyServiceClient(channel).SetPolicyAsync(new SetPolicyRequest { Document = DaemonFixture.GlobalPolicy }, admin);
                wallet = (await new WalletService.WalletServiceClient(channel).CreateWalletAsync(new CreateWalletRequest { Name = "crash", Kind = V1.WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, admin)).WalletId;
            }

            // Every request sent so far again: acknowledged ones get the same bytes back, the rest sign now.
            foreach (var (id, request) in sent)
            {
                var call = signing.SignTransactionAsync(request, signer);
                var reply = (await call).ToByteArray();
                if (acknowledged.TryGetValue(id, out var first))
                {
                    Assert.True(first.AsSpan().SequenceEqual(reply), $"round {round}: the retry of {id} got another reply than the one acknowledged");
                    Assert.Equal("true", (await call.ResponseHeadersAsync).GetValue(Services.SigningService.ReplayedHeader));
                }
                acknowledged.TryAdd(id, reply);
            }
            var verdict = await new AuditService.AuditServiceClient(channel).VerifyAsync(new VerifyAuditRequest(), admin);
            Assert.True(verdict.Intact, $"round {round}: {verdict.Failure}");
            if (round == rounds)
            {
                await daemon.StopAsync();
                break;
            }

            // Load, then SIGKILL at a random moment while it runs.
            using var stop = new CancellationTokenSource();
            var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var request = new SignTransactionRequest
                    {
                        RequestId = "crash-" + Guid.NewGuid().ToString("N"), WalletId = wallet, Chain = "eth",
                        Payload = EvmPayloads.Eip1559((ulong)Interlocked.Increment(ref nonce)),
                    };
                    sent[request.RequestId] = request;
                    try
                    {
                        acknowledged[request.RequestId] = (await signing.SignTransactionAsync(request, signer)).ToByteArray();
                    }
                    catch (RpcException)
                    {
                        if (stop.IsCancellationRequested) return;
                        await Task.Delay(5); // overloaded, or the daemon is gone: the next round retries it
                    }
                }
            })).ToList();
            await Task.Delay(Random.Shared.Next(300, 1200));
            await daemon.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(clients);
            output.WriteLine($"round {round}: killed with {acknowledged.Count} of {sent.Count} requests acknowledged");
        }

        // Every request id signed exactly once, in one record that says how it ended.
        Assert.Equal(sent.Count, acknowledged.Count);
        await using var ledger = Storage.Sqlite.SqliteLedger.OpenReadOnly(Path.Combine(_dataDir, "custody.db"));
        var records = new List<Core.Audit.AuditRecord>();
        for (long from = 0; ;)
        {
            var page = await ledger.Audit.QueryAsync(new Core.Audit.AuditQuery { WalletId = wallet, FromSequence = from, Limit = 1000 }, default);
            records.AddRange(page);
            if (page.Count < 1000) break;
            from = page[^1].Sequence + 1;
        }
        var signed = records.Where(x => x.Action == Core.Audit.AuditActions.SignTransaction).ToList();
        Assert.All(signed, x => Assert.True(x.Decision != Core.Policy.PolicyOutcome.Allow || x.ResultDigest.Length > 0, $"record {x.Sequence} allowed without a result"));
        var allowed = signed.Where(x => x.Decision == Core.Policy.PolicyOutcome.Allow).Select(x => x.Details["request_id"]).ToList();
        Assert.Equal(allowed.Count, allowed.Distinct().Count());
        Assert.Equal(sent.Keys.Order(StringComparer.Ordinal), allowed.Order(StringComparer.Ordinal));
        output.WriteLine($"{rounds} kills, {sent.Count} requests, each signed once");
    }
}
