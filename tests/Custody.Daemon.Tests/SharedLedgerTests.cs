using System.Numerics;
using Custody.Core.Chains.Evm;
using Custody.Core.Ledger;
using Custody.Storage.Postgres;
using Custody.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Custody.Daemon.Tests;

/// <summary>
/// Three real custodyd processes on one PostgreSQL database (a fresh one in the run's own cluster)
/// and one SoftHSM token directory: the installation custody-admin init made with
/// CUSTODY_STORAGE__ENGINE=postgres. The connection string, password included, is in an owner-only
/// file the daemons are pointed at; nothing of it is on their command lines.
/// </summary>
public sealed class SharedLedgerFixture : IAsyncLifetime
{
    public const int Daemons = 3;

    private readonly string _root = Directory.CreateTempSubdirectory("custody-shared-ledger-").FullName;
    private readonly ChildProcess?[] _daemons = new ChildProcess?[Daemons];
    private readonly GrpcChannel?[] _channels = new GrpcChannel?[Daemons];

    public string DataDir => Path.Combine(_root, "data");

    public string ConnectionStringFile => Path.Combine(_root, "ledger.connection");

    public string ConnectionString { get; private set; } = "";

    public int[] Ports { get; } = [.. Enumerable.Range(0, Daemons).Select(_ => FreePort.Next())];

    public Metadata Admin { get; private set; } = null!;

    public Metadata Signer { get; private set; } = null!;

    public Metadata Auditor { get; private set; } = null!;

    /// <summary>The tokens as owner-only files, for custody-admin's --token-file.</summary>
    public string AdminTokenFile { get; private set; } = "";

    public string SignerTokenFile => Path.Combine(_root, "signer.token");

    public string AuditorTokenFile => Path.Combine(_root, "auditor.token");

    public string Endpoint(int i) => $"http://127.0.0.1:{Ports[i]}";

    private static string TokenFile(string path, string secret)
    {
        File.WriteAllText(path, secret + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return secret;
    }

    public IDictionary<string, string> Storage => new Dictionary<string, string>
    {
        ["CUSTODY_STORAGE__ENGINE"] = "postgres",
        ["CUSTODY_STORAGE__CONNECTIONSTRINGFILE"] = ConnectionStringFile,
    };

    public async Task InitializeAsync()
    {
        ConnectionString = PostgresCluster.Shared.CreateDatabase("daemons");
        File.WriteAllText(ConnectionStringFile, ConnectionString + "\n");
        File.SetUnixFileMode(ConnectionStringFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var init = ChildProcess.AdminSucceeds(Storage, "init", "--data-dir", DataDir);
        Assert.Contains($"ledger postgres at 127.0.0.1:{PostgresCluster.Shared.Port}/", init.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(DataDir, "custody.db")), "the SQLite file is not made when the ledger is elsewhere");
        AdminTokenFile = init.Stdout.Trim();
        Admin = DaemonFixture.Bearer((await File.ReadAllTextAsync(AdminTokenFile)).Trim());
        // Tokens for the other roles, written straight into the shared ledger (a fourth process, in miniature).
        await using (var ledger = PostgresLedger.Open(ConnectionString))
        {
            Signer = DaemonFixture.Bearer(TokenFile(SignerTokenFile, (await ledger.Tokens.CreateAsync("signer-1", Roles.Signer, WalletScope.All, "tests", default)).Secret));
            Auditor = DaemonFixture.Bearer(TokenFile(AuditorTokenFile, (await ledger.Tokens.CreateAsync("auditor-1", Roles.Auditor, WalletScope.All, "tests", default)).Secret));
        }
        await Task.WhenAll(Enumerable.Range(0, Daemons).Select(StartAsync));
    }

    /// <summary>Starts daemon <paramref name="i"/> (again, after a kill) on its port.</summary>
    public async Task StartAsync(int i)
    {
        _channels[i]?.Dispose();
        _daemons[i]?.Dispose();
        _daemons[i] = await ChildProcess.StartAsync(ChildProcess.Custodyd,
            ["--data-dir", DataDir, "--port", Ports[i].ToString(), "--metrics-port", "0", "--http-port", "0",
             "--Storage:Engine=postgres", $"--Storage:ConnectionStringFile={ConnectionStringFile}",
             "--Limits:RequestsPerSecond=0", "--Limits:MaxConcurrentSignatures=128"]);
        _channels[i] = GrpcChannel.ForAddress($"http://127.0.0.1:{Ports[i]}");
    }

    /// <summary>SIGKILL daemon <paramref name="i"/>.</summary>
    public Task KillAsync(int i) => _daemons[i]!.KillAsync();

    public SigningService.SigningServiceClient Signing(int i) => new(_channels[i]!);

    public WalletService.WalletServiceClient Wallets(int i) => new(_channels[i]!);

    public PolicyService.PolicyServiceClient Policy(int i) => new(_channels[i]!);

    public AuditService.AuditServiceClient Audit(int i) => new(_channels[i]!);

    public async Task DisposeAsync()
    {
        var stops = new List<Task>();
        for (var i = 0; i < Daemons; i++)
        {
            _channels[i]?.Dispose();
            if (_daemons[i] is { } daemon) stops.Add(Task.Run(async () =>
            {
                try
                {
                    await daemon.StopAsync();
                }
                finally
                {
                    daemon.Dispose();
                }
            }));
        }
        await Task.WhenAll(stops);
        Directory.Delete(_root, recursive: true);
    }
}

/// <summary>Several daemons, one ledger: the acceptance tests across real processes.</summary>
public sealed class SharedLedgerTests(SharedLedgerFixture daemons) : IClassFixture<SharedLedgerFixture>
{
    private static readonly BigInteger Payment = BigInteger.Pow(10, 16); // what EvmPayloads.Eip1559 sends

    [Fact]
    public async Task A_velocity_limit_that_fits_fourteen_admits_exactly_fourteen_of_sixty_four_spread_over_three_daemons()
    {
        var wallet = await WalletAsync($$"""{ "velocity": [ { "window": "1h", "maxAmount": "{{Payment * 14}}" } ] }""");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            SignAsync(i % SharedLedgerFixture.Daemons, wallet, $"velocity-{i}", EvmPayloads.Eip1559((ulong)i)))));
        Assert.Equal(14, outcomes.Count(o => o.Reply is not null));
        Assert.All(outcomes.Where(o => o.Reply is null), o => Assert.Equal(StatusCode.PermissionDenied, o.Error!.StatusCode));
        Assert.All(outcomes.Where(o => o.Reply is null), o => Assert.Contains("more would pass the limit", o.Error!.Status.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task One_sender_and_nonce_sent_with_different_payloads_to_all_three_at_once_signs_exactly_once()
    {
        var wallet = await WalletAsync("{}");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 15).Select(i => Task.Run(() =>
            SignAsync(i % SharedLedgerFixture.Daemons, wallet, $"nonce-{i}", EvmPayloads.Eip1559(7, to: EvmAddress.ToChecksumText(Enumerable.Repeat((byte)(i + 1), 20).ToArray()))))));
        Assert.Equal(1, outcomes.Count(o => o.Reply is not null));
        Assert.All(outcomes.Where(o => o.Reply is null), o => Assert.Contains("conflict", o.Error!.Status.Detail, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_same_request_id_sent_to_two_daemons_signs_once_and_both_return_the_same_reply()
    {
        var wallet = await WalletAsync("{}");
        for (var round = 0; round < 5; round++)
        {
            var payload = EvmPayloads.Eip1559((ulong)(100 + round));
            var both = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(() => SignAsync(i, wallet, $"twice-{round}", payload))));
            Assert.All(both, o => Assert.True(o.Reply is not null, o.Error?.ToString()));
            Assert.Equal(both[0].Reply!.SignedPayload, both[1].Reply!.SignedPayload);
            Assert.Equal(both[0].Reply!.Audit.Sequence, both[1].Reply!.Audit.Sequence);
        }
    }

    [Fact]
    public async Task A_freeze_through_one_daemon_stops_signing_on_all_three_at_once()
    {
        var wallet = await WalletAsync("{}");
        Assert.NotNull((await SignAsync(2, wallet, "before-freeze", EvmPayloads.Eip1559(1))).Reply);
        await daemons.Policy(1).FreezeAsync(new FreezeRequest { WalletId = wallet, Reason = "incident drill" }, daemons.Admin);
        for (var i = 0; i < SharedLedgerFixture.Daemons; i++)
        {
            var refused = await SignAsync(i, wallet, $"frozen-{i}", EvmPayloads.Eip1559((ulong)(10 + i)));
            Assert.Equal(StatusCode.FailedPrecondition, refused.Error?.StatusCode);
            Assert.Equal("WALLET_FROZEN", refused.Error!.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason);
        }
        await daemons.Policy(0).UnfreezeAsync(new UnfreezeRequest { WalletId = wallet }, daemons.Admin);
        Assert.NotNull((await SignAsync(2, wallet, "after-freeze", EvmPayloads.Eip1559(20))).Reply);
    }

    [Fact]
    public async Task A_daemon_killed_under_load_loses_nothing_acknowledged_and_the_survivors_serve_and_replay()
    {
        var wallet = await WalletAsync("{}");
        const int Requests = 240;
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, SignTransactionResponse>();
        using var inFlight = new SemaphoreSlim(12);
        var killed = 0;
        var load = Enumerable.Range(0, Requests).Select(i => Task.Run(async () =>
        {
            var id = $"load-{i}";
            await inFlight.WaitAsync();
            try
            {
                // Kill -9 one daemon once the load is well under way.
                if (acknowledged.Count >= 40 && Interlocked.Exchange(ref killed, 1) == 0) await daemons.KillAsync(2);
                var outcome = await SignAsync(i % SharedLedgerFixture.Daemons, wallet, id, EvmPayloads.Eip1559((ulong)(1000 + i)));
                if (outcome.Reply is { } reply) acknowledged[id] = reply;
                return (Id: id, Daemon: i % SharedLedgerFixture.Daemons, outcome.Error);
            }
            finally
            {
                inFlight.Release();
            }
        })).ToList();
        var results = await Task.WhenAll(load);
        Assert.Equal(1, killed);
        Assert.Contains(results, r => r.Daemon == 2 && r.Error is not null);

        // The survivors answered everything sent to them.
        Assert.All(results.Where(r => r.Daemon != 2), r => Assert.True(r.Error is null, $"{r.Id}: {r.Error}"));
        // What the killed one left unanswered, a client retries on a survivor: a stored reply if it had committed, a signature otherwise.
        foreach (var lost in results.Where(r => r.Error is not null))
        {
            var retried = await SignAsync(0, wallet, lost.Id, EvmPayloads.Eip1559((ulong)(1000 + int.Parse(lost.Id[5..]))));
            Assert.True(retried.Reply is not null, $"{lost.Id}: {retried.Error}");
            acknowledged[lost.Id] = retried.Reply!;
        }
        Assert.Equal(Requests, acknowledged.Count);
        // Nothing acknowledged is lost: every reply, asked again of either survivor, comes back the same.
        foreach (var (id, reply) in acknowledged)
        {
            var again = await SignAsync(1, wallet, id, EvmPayloads.Eip1559((ulong)(1000 + int.Parse(id[5..]))));
            Assert.Equal(reply.SignedPayload, again.Reply?.SignedPayload);
            Assert.Equal(reply.Audit.Sequence, again.Reply!.Audit.Sequence);
        }
        var sequences = acknowledged.Values.Select(r => r.Audit.Sequence).ToList();
        Assert.Equal(sequences.Count, sequences.Distinct().Count());

        // Checkpoints are signed at least every second while records arrive; on a busy machine the
        // last of them may take a little longer, so wait (bounded) for one to cover everything.
        var verdict = await Eventually.SucceedsAsync(async () =>
        {
            var v = await daemons.Audit(0).VerifyAsync(new VerifyAuditRequest(), daemons.Auditor);
            Assert.True(v.Intact, v.Failure);
            return v;
        }, TimeSpan.FromSeconds(30));
        Assert.True(verdict.RecordCount > sequences.Max());
        await daemons.StartAsync(2);
    }

    [Fact]
    public async Task Custody_admin_verifies_and_exports_the_shared_log_while_the_daemons_serve()
    {
        var wallet = await WalletAsync("{}");
        Assert.NotNull((await SignAsync(0, wallet, "for-the-cli", EvmPayloads.Eip1559(1))).Reply);
        var key = Path.Combine(daemons.DataDir, "audit.vkey");
        var verify = ChildProcess.AdminSucceeds(daemons.Storage, "audit", "verify", "--key", key, "--allow-unsigned-tail");
        Assert.StartsWith("audit log intact", verify.Stdout, StringComparison.Ordinal);
        var export = ChildProcess.AdminSucceeds(daemons.Storage, "audit", "export", "--wallet", wallet);
        Assert.Contains("\"sign.transaction\"", export.Stdout, StringComparison.Ordinal);
        // Without the engine named, the file is required.
        Assert.Contains("--db is required", ChildProcess.Admin("audit", "verify", "--key", key).Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Custody_admin_token_ceremony_and_kek_verbs_write_the_shared_ledger_the_daemons_serve()
    {
        var dir = Directory.CreateTempSubdirectory("custody-pg-cli-").FullName;
        try
        {
            // token: created by the CLI in PostgreSQL, honoured by a daemon, listed, revoked, refused by another daemon.
            var tokenFile = Path.Combine(dir, "auditor-2.token");
            var created = ChildProcess.AdminSucceeds(daemons.Storage, "token", "create", "--data-dir", daemons.DataDir, "--principal", "auditor-2", "--roles", "auditor", "--output", tokenFile);
            var tokenId = created.Stderr.Split(' ')[1];
            var bearer = DaemonFixture.Bearer(File.ReadAllText(tokenFile).Trim());
            Assert.True((await daemons.Audit(1).VerifyAsync(new VerifyAuditRequest { AllowUnsignedTail = true }, bearer)).Intact);
            Assert.Contains($"{tokenId}\tauditor-2\tauditor", ChildProcess.AdminSucceeds(daemons.Storage, "token", "list", "--data-dir", daemons.DataDir).Stdout, StringComparison.Ordinal);
            ChildProcess.AdminSucceeds(daemons.Storage, "token", "revoke", "--data-dir", daemons.DataDir, "--token-id", tokenId);
            var revoked = await Assert.ThrowsAsync<RpcException>(async () => await daemons.Audit(2).VerifyAsync(new VerifyAuditRequest(), bearer));
            Assert.Equal(StatusCode.Unauthenticated, revoked.StatusCode);

            // ceremony: a wallet generated into PostgreSQL, served by a daemon, its record recomputed.
            var name = "pg-ceremony";
            var generated = ChildProcess.AdminSucceeds(daemons.Storage, "ceremony", "generate", "--data-dir", daemons.DataDir, "--name", name,
                "--slip39", "2-of-3", "--non-interactive", "--out-dir", Path.Combine(dir, "shares"));
            var lines = generated.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var walletId = lines.Single(l => l.StartsWith("wallet_id: ", StringComparison.Ordinal))["wallet_id: ".Length..];
            Assert.Equal(V1.WalletBackup.Ceremony, (await daemons.Wallets(0).GetWalletAsync(new GetWalletRequest { WalletId = walletId }, daemons.Admin)).Backup);
            ChildProcess.AdminSucceeds(daemons.Storage, "ceremony", "record", "--data-dir", daemons.DataDir, "--name", name);

            // kek rotate: every seed in PostgreSQL resealed; a daemon still derives the ceremony's address.
            Assert.StartsWith("kek: v2;", ChildProcess.AdminSucceeds(daemons.Storage, "kek", "rotate", "--data-dir", daemons.DataDir).Stdout, StringComparison.Ordinal);
            var eth = lines.Single(l => l.StartsWith("address eth ", StringComparison.Ordinal)).Split(' ');
            var derived = await daemons.Wallets(2).DeriveAddressAsync(new DeriveAddressRequest { WalletId = walletId, Chain = "eth", Index = 0 }, daemons.Admin);
            Assert.Equal(eth[3], derived.Address);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Custody_admin_client_verbs_reach_the_shared_ledger_through_any_daemon()
    {
        var dir = Directory.CreateTempSubdirectory("custody-pg-client-").FullName;
        try
        {
            ChildProcess.Result Client(int daemon, string tokenFile, params string[] args) =>
                ChildProcess.Admin([.. args, "--endpoint", daemons.Endpoint(daemon), "--token-file", tokenFile]);
            string Ok(ChildProcess.Result result)
            {
                Assert.True(result.ExitCode == 0, result.Stderr);
                return result.Stdout.Trim();
            }

            // wallet, policy, approver: written through three daemons.
            var wallet = Ok(Client(0, daemons.AdminTokenFile, "wallet", "create", "--name", "pg-client", "--no-backup"));
            var policy = Path.Combine(dir, "policy.json");
            File.WriteAllText(policy, $$"""
                { "schema": "custody-policy/v1", "principals": ["signer-1"],
                  "approvals": { "required": 1, "approvers": ["alice"], "expiry": "1h" },
                  "chains": { "eth": { "assets": { "native": { "approvalAbove": "{{Payment - 1}}" } } } } }
                """);
            Ok(Client(1, daemons.AdminTokenFile, "policy", "apply", "--wallet", wallet, "--file", policy, "--reason", "approvals"));
            var publicKey = Ok(ChildProcess.Admin("approver", "keygen", "--out", Path.Combine(dir, "alice.key")));
            Assert.Contains("registered alice", Ok(Client(2, daemons.AdminTokenFile, "approver", "register", "--id", "alice", "--algorithm", "ed25519", "--public-key", publicKey)),
                StringComparison.Ordinal);
            Assert.StartsWith("0x", Ok(Client(0, daemons.SignerTokenFile, "address", "next", "--wallet", wallet, "--chain", "eth")), StringComparison.Ordinal);

            // dry-run, sign, requests: the payment needs alice, so it is parked in the shared ledger.
            var payload = Path.Combine(dir, "payment.hex");
            File.WriteAllText(payload, EvmPayloads.Eip1559(1));
            Assert.Contains("NeedsApproval", Ok(Client(1, daemons.SignerTokenFile, "dry-run", "--wallet", wallet, "--chain", "eth", "--file", payload)), StringComparison.OrdinalIgnoreCase);
            var parked = Client(2, daemons.SignerTokenFile, "sign", "tx", "--wallet", wallet, "--chain", "eth", "--file", payload);
            Assert.NotEqual(0, parked.ExitCode);
            Assert.Contains($"wallet {wallet}", Ok(Client(0, daemons.AdminTokenFile, "requests", "list", "--wallet", wallet)), StringComparison.Ordinal);

            // audit: a record proved against a checkpoint signed by the audit key, and the log verified by a daemon.
            Assert.Contains("signed by the audit key", Ok(Client(1, daemons.AuditorTokenFile, "audit", "proof", "--sequence", "0", "--key", Path.Combine(daemons.DataDir, "audit.vkey"))),
                StringComparison.Ordinal);
            Assert.StartsWith("audit log intact", Ok(Client(2, daemons.AuditorTokenFile, "audit", "verify", "--remote", "--allow-unsigned-tail")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A new HD wallet whose policy lets signer-1 send native ETH under <paramref name="nativeRules"/>.</summary>
    private async Task<string> WalletAsync(string nativeRules)
    {
        var wallet = await daemons.Wallets(0).CreateWalletAsync(new CreateWalletRequest { Name = "shared", Kind = V1.WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, daemons.Admin);
        await daemons.Policy(1).SetPolicyAsync(new SetPolicyRequest
        {
            WalletId = wallet.WalletId,
            Document = $$"""
                { "schema": "custody-policy/v1", "principals": ["signer-1"],
                  "chains": { "eth": { "assets": { "native": {{nativeRules}} } } } }
                """,
        }, daemons.Admin);
        return wallet.WalletId;
    }

    private async Task<(SignTransactionResponse? Reply, RpcException? Error)> SignAsync(int daemon, string wallet, string requestId, string payload)
    {
        try
        {
            return (await daemons.Signing(daemon).SignTransactionAsync(new SignTransactionRequest
            {
                RequestId = requestId,
                WalletId = wallet,
                Chain = "eth",
                Payload = payload,
            }, daemons.Signer, deadline: DateTime.UtcNow.AddSeconds(60)), null);
        }
        catch (RpcException e)
        {
            return (null, e);
        }
    }
}
