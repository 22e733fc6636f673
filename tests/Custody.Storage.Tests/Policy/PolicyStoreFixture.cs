using System.Numerics;
using System.Text;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Evm;
using Custody.Core.Crypto;
using Custody.Core.Policy;
using Custody.Storage.Policy;

namespace Custody.Storage.Tests.Policy;

/// <summary>A clock the tests move by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>An audit sink that keeps what it is told, so that tests can read the audit trail.</summary>
internal sealed class RecordingAuditSink : IPolicyAuditSink
{
    private readonly List<PolicyAuditEvent> _events = [];

    public IReadOnlyList<PolicyAuditEvent> Events
    {
        get { lock (_events) return _events.ToArray(); }
    }

    public Task RecordAsync(PolicyAuditEvent auditEvent, CancellationToken cancellationToken)
    {
        lock (_events) _events.Add(auditEvent);
        return Task.CompletedTask;
    }
}

/// <summary>A fresh policy database in a temporary file, with the engine's parts wired to one clock and audit sink.</summary>
internal sealed class PolicyStoreFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 6, 2, 10, 0, 0, TimeSpan.Zero);
    public static readonly string[] Admin = [PolicyAdministration.AdminRole];
    public static readonly string[] Operator = ["operator"];

    private readonly string _directory = Directory.CreateTempSubdirectory("custody-policy-").FullName;

    private PolicyStoreFixture()
    {
        Path = System.IO.Path.Combine(_directory, "custody.db");
        Database = new PolicyDatabase(new Custody.Storage.Sqlite.SqliteDatabase(Path));
        Gate = new PolicySigningGate(Database, Audit, Clock);
        Administration = new PolicyAdministration(Database, Audit, Clock);
        Approvals = new PolicyApprovals(Database, Audit, Clock);
    }

    public string Path { get; }
    public ManualClock Clock { get; } = new(Start);
    public RecordingAuditSink Audit { get; } = new();
    public PolicyDatabase Database { get; }
    public PolicySigningGate Gate { get; }
    public PolicyAdministration Administration { get; }
    public PolicyApprovals Approvals { get; }

    public static async Task<PolicyStoreFixture> CreateAsync(string? walletPolicy = null)
    {
        var fixture = new PolicyStoreFixture();
        await fixture.Database.InitializeAsync(CancellationToken.None);
        if (walletPolicy is not null)
            await fixture.Administration.PublishAsync(PolicyScope.Wallet("w1"), walletPolicy, "root", Admin, CancellationToken.None);
        return fixture;
    }

    /// <summary>A second, independent engine on the same file: another daemon process in miniature.</summary>
    public PolicySigningGate SecondGate() => new(new PolicyDatabase(new Custody.Storage.Sqlite.SqliteDatabase(Path)), Audit, Clock);

    public ValueTask DisposeAsync()
    {
        Gate.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open on this platform: the temp folder is cleaned by the OS
        }
        return ValueTask.CompletedTask;
    }

    public static string PolicyText(string ethNative = """{ "velocity": [ { "window": "1h", "maxAmount": "1000" } ] }""",
        bool allowReplacement = true) => $$"""
        {
          "schema": "custody-policy/v1",
          "principals": ["svc"],
          "approvals": { "required": 2, "approvers": ["alice", "bob", "carol", "svc"], "expiry": "1h" },
          "chains": {
            "eth": { "allowReplacement": {{(allowReplacement ? "true" : "false")}}, "assets": { "native": {{ethNative}} } },
            "btc": { "assets": { "native": {} } }
          }
        }
        """;

    public static string Evm(byte n) => EvmAddress.ToChecksumText(Enumerable.Repeat(n, 20).ToArray());

    public static string Btc(byte n) =>
        BitcoinAddress.TryFromScriptPubKey(BitcoinScript.P2wpkh(Enumerable.Repeat(n, 20).ToArray()), BitcoinNetwork.Mainnet, out var a)
            ? a : throw new InvalidOperationException();

    public static TransactionIntent Eth(string to, BigInteger amount, long nonce, BigInteger? fee = null) =>
        new("eth", [], [new IntentOutput(to, "native", amount, false)], fee ?? 21_000, null, [$"1/0xabc/{nonce}"], []);

    public static TransactionIntent BtcSpend(string outpoint, params IntentOutput[] outputs) =>
        new("btc", [], outputs, 1_000, null, [outpoint], []);

    /// <summary>A request whose payload digest is derived from the intent, as the daemon's would be from the payload bytes.</summary>
    public SigningRequest Request(TransactionIntent? intent, string requestId = "r1", string chain = "eth", string principal = "svc",
        string wallet = "w1", string? payload = null) =>
        new(requestId, principal, wallet, ChainRegistry.Get(chain), intent,
            payload ?? Convert.ToHexStringLower(Hashes.Sha256(Encoding.UTF8.GetBytes(intent is null ? requestId : IntentJson.Write(intent)))),
            Clock.GetUtcNow());
}
