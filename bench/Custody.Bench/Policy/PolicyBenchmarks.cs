using BenchmarkDotNet.Attributes;
using Custody.Core.Chains;
using Custody.Core.Chains.Evm;
using Custody.Core.Audit;
using Custody.Core.Ledger;
using Custody.Core.Policy;
using Custody.Storage;
using Custody.Storage.Sqlite;

namespace Custody.Bench.Policy;

/// <summary>
/// The policy on the signing path: the pure evaluation alone, a judgement on a snapshot (read
/// transaction), and a full commit on a SQLite ledger (judge again, reserve, record and store the
/// reply in one BEGIN IMMEDIATE transaction with synchronous=FULL, so each one waits for its fsync).
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet's lifetime: the ledger is disposed in [GlobalCleanup]")]
public class PolicyBenchmarks
{
    private static readonly string Friend = EvmAddress.ToChecksumText(Enumerable.Repeat((byte)0x11, 20).ToArray());
    private static readonly string Denied = EvmAddress.ToChecksumText(Enumerable.Repeat((byte)0xDD, 20).ToArray());

    private static readonly string Document = $$"""
        {
          "schema": "custody-policy/v1",
          "principals": ["svc"],
          "chains": {
            "eth": {
              "denyList": ["{{Denied}}"],
              "maxFee": "1000000000000000",
              "assets": { "native": { "maxPerTransaction": "1000000000000000000",
                "velocity": [ { "window": "1h", "maxAmount": "1000000000000000000000000" }, { "window": "24h", "maxCount": 100000000 } ] } }
            }
          }
        }
        """;

    private readonly Chain _eth = ChainRegistry.Get("eth");
    private VersionedPolicy _policy = null!;
    private SigningRequest _request = null!;
    private PolicySnapshot _snapshot = null!;
    private string _directory = "";
    private Ledger _ledger = null!;
    private long _nonce;

    [GlobalSetup]
    public void Setup()
    {
        _policy = new VersionedPolicy(1, PolicyScope.Global, PolicyJson.Parse(Document), DateTimeOffset.UnixEpoch);
        _directory = Directory.CreateTempSubdirectory("custody-policy-bench-").FullName;
        _ledger = Ledger.Open(new SqliteEngine(Path.Combine(_directory, "custody.db")));
        _ledger.Policy.PublishAsync(PolicyScope.Global, Document, "bench", null, default).GetAwaiter().GetResult();
        _request = Request(0); // after publishing: the policy must be in force when the request arrives
        _snapshot = PolicySnapshot.Empty with
        {
            Velocity = PolicyEvaluator.VelocityKeys(_policy, _request).ToDictionary(k => k, _ => new VelocityTotal(0, 0)),
        };
        // A busy wallet: this many admissions already in the velocity windows.
        for (var i = 0; i < Preloaded; i++) Admit();
    }

    [Params(0, 2_000)]
    public int Preloaded { get; set; }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ledger.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private SigningRequest Request(long nonce) => new(
        $"r{nonce}", "svc", "w1", _eth,
        new TransactionIntent(_eth, [], [new IntentOutput(Friend, "native", 1_000_000_000, false)], 21_000_000_000_000, null, [$"1/0xabc/{nonce}"], []),
        Convert.ToHexStringLower(BitConverter.GetBytes(nonce)).PadLeft(64, '0'), DateTimeOffset.UtcNow);

    [Benchmark(Description = "evaluate (pure)")]
    public PolicyDecision Evaluate() => PolicyEvaluator.Evaluate(_policy, _request, _snapshot, DateTimeOffset.UtcNow);

    [Benchmark(Description = "judge on a SQLite snapshot")]
    public PolicyDecision DryRun() => _ledger.Signing.JudgeAsync(_request, default).GetAwaiter().GetResult();

    [Benchmark(Description = "commit on SQLite (judge, reserve, record, reply, fsync)")]
    public SigningOutcome Admit()
    {
        var request = Request(Interlocked.Increment(ref _nonce));
        var record = new AuditRecord { Principal = "svc", Action = AuditActions.SignTransaction, WalletId = "w1", Chain = "eth" };
        return _ledger.Signing.CommitAsync(SigningCommit.Signature(request, [1], record, new SignedResult("", [2], (_, _) => [3])))
            .GetAwaiter().GetResult();
    }
}
