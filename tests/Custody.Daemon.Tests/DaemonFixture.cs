using Custody.Core.Ledger;
using Custody.Hsm;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon.Tests;

/// <summary>
/// One real installation per test run: <c>custody-admin init</c> (the binary) creates a SoftHSM
/// token with random PINs, the KEK, the SQLite file and the admin token in a temporary data
/// directory; the daemon runs in this process on Kestrel at a free loopback port, and can be
/// restarted on the same directory. Tokens for the other roles are created in the daemon's ledger.
/// </summary>
public sealed class DaemonFixture : IAsyncLifetime
{
    public DaemonFixture()
        : this(Directory.CreateTempSubdirectory("custody-daemon-tests-").FullName)
    {
    }

    private DaemonFixture(string dataDir) => DataDir = dataDir;

    /// <summary>An installation in <paramref name="dataDir"/> (new or empty), e.g. on a file system a test controls.</summary>
    public static DaemonFixture In(string dataDir) => new(dataDir);

    public string DataDir { get; }

    public int Port { get; } = FreePort.Next();

    public int MetricsPort { get; } = FreePort.Next();

    /// <summary>The HTTP/1.1 port of the HTTP/JSON API.</summary>
    public int HttpPort { get; } = FreePort.Next();

    /// <summary>The operator console's port (Console:Port, on localhost).</summary>
    public int ConsolePort { get; } = FreePort.Next();

    /// <summary>The one origin (RP ID localhost) the daemon accepts passkey assertions from: the console's.</summary>
    public string PasskeyOrigin => $"http://localhost:{ConsolePort}";

    public ErrorLogCollector Logs { get; } = new();

    public WebApplication App { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public string AdminToken { get; private set; } = "";

    public string SignerToken { get; private set; } = "";

    public string AuditorToken { get; private set; } = "";

    public string ApproverToken { get; private set; } = "";

    /// <summary>
    /// The global default the tests run under: native transfers on the chains they use, for the
    /// signers they create; raw signing off. Tests that need other rules publish a wallet policy.
    /// </summary>
    public const string GlobalPolicy = """
        {
          "schema": "custody-policy/v1",
          "description": "daemon tests: native transfers only",
          "principals": ["signer-1", "signer-2"],
          "chains": {
            "eth": { "assets": { "native": {} } },
            "evm:137": { "assets": { "native": {} } },
            "btc": { "assets": { "native": {} } },
            "trx": { "assets": { "native": {} } },
            "sol": { "assets": { "native": {} } }
          }
        }
        """;

    /// <summary>The running daemon's ledger (changes made here are recorded as the daemon's own).</summary>
    public ILedger Ledger => App.Services.GetRequiredService<ILedger>();

    /// <summary>Every token secret handed out, to check none reaches a log.</summary>
    public List<string> Secrets { get; } = [];

    public async Task InitializeAsync()
    {
        var init = ChildProcess.AdminSucceeds("init", "--data-dir", DataDir);
        AdminToken = (await File.ReadAllTextAsync(init.Stdout.Trim())).Trim();
        Secrets.Add(AdminToken);
        await StartAsync();
        SignerToken = NewToken("signer-1", Roles.Signer, WalletScope.All);
        AuditorToken = NewToken("auditor-1", Roles.Auditor, WalletScope.All);
        ApproverToken = NewToken("approver-1", Roles.Approver, WalletScope.All);
        await Policy.SetPolicyAsync(new V1.SetPolicyRequest { Document = GlobalPolicy }, Bearer(AdminToken));
    }

    public string NewToken(string principal, Roles roles, WalletScope scope) => CreateToken(principal, roles, scope).Secret;

    public (ApiToken Token, string Secret) CreateToken(string principal, Roles roles, WalletScope scope)
    {
        var created = Ledger.Tokens.CreateAsync(principal, roles, scope, "tests", CancellationToken.None).GetAwaiter().GetResult();
        Secrets.Add(created.Secret);
        return created;
    }

    public async Task StartAsync(params string[] extraArgs)
    {
        App = DaemonHost.Build(
            ["--data-dir", DataDir, "--port", Port.ToString(), "--metrics-port", MetricsPort.ToString(), "--http-port", HttpPort.ToString(),
             "--Limits:RequestsPerSecond=0", "--Limits:MaxReceiveMessageSize=65536",
             "--Passkeys:RpId=localhost", $"--Passkeys:Origins={PasskeyOrigin}", $"--Console:Port={ConsolePort}", .. extraArgs],
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(Logs);
            });
        await App.StartAsync();
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Port}");
    }

    /// <summary>Stops the daemon (letting in-flight calls finish) and starts a new one on the same data directory.</summary>
    public async Task RestartAsync(params string[] extraArgs)
    {
        Channel.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await StartAsync(extraArgs);
    }

    /// <summary>A new HD wallet whose ETH transfers above 1 wei signer-1 may send only with the approvals of <paramref name="alice"/> and <paramref name="bob"/> (expiry 1 h); its id.</summary>
    public async Task<string> TwoApprovalWalletAsync(string name, string alice, string bob)
    {
        var wallet = await Wallets.CreateWalletAsync(new V1.CreateWalletRequest { Name = name, Kind = V1.WalletKind.Hd, Backup = V1.WalletBackup.NoneAcknowledged }, Bearer(AdminToken));
        await Policy.SetPolicyAsync(new V1.SetPolicyRequest
        {
            WalletId = wallet.WalletId,
            Document = $$"""
                { "schema": "custody-policy/v1", "principals": ["signer-1"],
                  "approvals": { "required": 2, "approvers": ["{{alice}}", "{{bob}}"], "expiry": "1h" },
                  "chains": { "eth": { "assets": { "native": { "approvalAbove": "1" } } } } }
                """,
        }, Bearer(AdminToken));
        return wallet.WalletId;
    }

    /// <summary>Sends <paramref name="request"/> as signer-1, expects it parked (APPROVAL_REQUIRED), and returns the parked request.</summary>
    public async Task<V1.ParkedRequest> ParkAsync(V1.SignTransactionRequest request)
    {
        var refusal = await Errors.RefusedAsync(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED", () => Signing.SignTransactionAsync(request, Bearer(SignerToken)));
        return await Signing.GetRequestAsync(new V1.GetRequestRequest { RequestDigest = refusal.Metadata["request_digest"] }, Bearer(AdminToken));
    }

    /// <summary>
    /// Runs <paramref name="whileAway"/> with the token's directory moved away (as SoftHSM loses a
    /// token), puts it back and waits until the HSM answers again: re-initialising the module is
    /// rate-limited, and the next test on this shared daemon must not meet the loss.
    /// </summary>
    public async Task WithTokenAwayAsync(Func<Task> whileAway)
    {
        var tokenDir = Assert.Single(Directory.GetDirectories(Path.Combine(DataDir, "hsm", "tokens")));
        var away = Path.Combine(DataDir, "token-away");
        Directory.Move(tokenDir, away);
        try
        {
            await whileAway();
        }
        finally
        {
            Directory.Move(away, tokenDir);
            WaitUntilHsmAnswers();
        }
    }

    private void WaitUntilHsmAnswers()
    {
        var hsm = App.Services.GetRequiredService<HsmConnection>();
        Eventually.Succeeds(() => hsm.Probe() is { State: HsmProbeState.Answering } probe ? probe : throw new InvalidOperationException("the HSM does not answer yet"),
            TimeSpan.FromSeconds(30), e => e is InvalidOperationException);
    }

    public static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    public V1.SystemService.SystemServiceClient System => new(Channel);

    public V1.WalletService.WalletServiceClient Wallets => new(Channel);

    public V1.SigningService.SigningServiceClient Signing => new(Channel);

    public V1.AuditService.AuditServiceClient Audit => new(Channel);

    public V1.PolicyService.PolicyServiceClient Policy => new(Channel);

    public async Task<string> MetricsAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{MetricsPort}/metrics");
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(DataDir, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class DaemonCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "daemon";
}
