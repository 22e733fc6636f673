using Custody.V1;
using Grpc.Core;

namespace Custody.Daemon.Tests;

/// <summary>custody-admin policy show|apply|diff, freeze and unfreeze, run as a process against the running daemon.</summary>
[Collection(DaemonCollection.Name)]
public sealed class PolicyCliTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("custody-policy-cli-");

    protected override void DisposeTest() => dir.Delete(recursive: true);

    private string Endpoint => $"http://127.0.0.1:{daemon.Port}";

    private string TokenFile(string token)
    {
        var path = Path.Combine(dir.FullName, "token-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, "  " + token + "\n"); // surrounding whitespace, as an editor leaves it
        return path;
    }

    private string PolicyFile(string text)
    {
        var path = Path.Combine(dir.FullName, "policy-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, text);
        return path;
    }

    private ChildProcess.Result Admin(string token, params string[] args) =>
        ChildProcess.Admin([.. args, "--endpoint", Endpoint, "--token-file", TokenFile(token)]);

    private static string Limited(string maxPerTransaction) => $$"""
        {
          "schema": "custody-policy/v1",
          "principals": ["signer-1"],
          "chains": { "eth": { "assets": { "native": { "maxPerTransaction": "{{maxPerTransaction}}" } } } }
        }
        """;

    private async Task<string> NewWalletAsync(string name) =>
        (await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = name, Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken))).WalletId;

    private static void Failed(ChildProcess.Result result, string expectedStart)
    {
        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one stderr line, got: {result.Stderr}");
        Assert.StartsWith(expectedStart, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approver_register_takes_a_passkey_with_its_credential_id_and_refuses_one_without()
    {
        using var passkey = new SoftwarePasskey("localhost", daemon.PasskeyOrigin);
        var id = "cli-passkey-" + Guid.NewGuid().ToString("N")[..8];
        var credentialId = Convert.ToBase64String(passkey.CredentialId).TrimEnd('=').Replace('+', '-').Replace('/', '_'); // base64url, as browsers print rawId
        var key = Convert.ToBase64String(passkey.PublicKeySpki);
        var missing = Admin(daemon.AdminToken, "approver", "register", "--id", id, "--algorithm", "passkey-es256", "--public-key", key);
        Assert.Equal(2, missing.ExitCode); // a usage error
        Assert.Contains("a passkey needs --credential-id", missing.Stderr, StringComparison.Ordinal);
        var registered = Admin(daemon.AdminToken, "approver", "register", "--id", id, "--algorithm", "passkey-es256", "--public-key", key, "--credential-id", credentialId);
        Assert.True(registered.ExitCode == 0, registered.Stderr);
        var records = await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { Action = "approver.registered", Limit = 1000 }, DaemonFixture.Bearer(daemon.AdminToken));
        Assert.Contains(records.Records, r => r.Action == "approver.registered" && r.Details["approver"] == id && r.Details["credential_id"] == credentialId);
    }

    [Fact]
    public async Task Apply_show_and_diff_a_wallet_policy_and_a_bad_document_is_one_line_naming_its_line()
    {
        var wallet = await NewWalletAsync("cli-policy");

        var applied = Admin(daemon.AdminToken, "policy", "apply", "--wallet", wallet, "--file", PolicyFile(Limited("1000")), "--reason", "cap small payments");
        Assert.True(applied.ExitCode == 0, applied.Stderr);
        var records = await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = wallet, Limit = 100 }, DaemonFixture.Bearer(daemon.AuditorToken));
        Assert.Contains(records.Records, r => r.Action == "policy.published" && r.Principal == "admin"
            && r.Details["reason"] == "cap small payments" && r.Details["diff"].Contains("\"1000\"", StringComparison.Ordinal));
        var version = (await daemon.Policy.GetPolicyAsync(new GetPolicyRequest { WalletId = wallet }, DaemonFixture.Bearer(daemon.AdminToken))).Version;
        Assert.True(version > 0);
        Assert.Contains($"version {version}", applied.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(daemon.AdminToken, applied.Stdout + applied.Stderr, StringComparison.Ordinal);

        var shown = Admin(daemon.SignerToken, "policy", "show", "--wallet", wallet); // reading is open to every role
        Assert.True(shown.ExitCode == 0, shown.Stderr);
        Assert.Contains("\"maxPerTransaction\": \"1000\"", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains($"version {version}", shown.Stderr, StringComparison.Ordinal);

        var unchanged = Admin(daemon.AdminToken, "policy", "diff", "--wallet", wallet, "--file", PolicyFile(shown.Stdout));
        Assert.True(unchanged.ExitCode == 0, unchanged.Stderr);
        Assert.Equal("", unchanged.Stdout);
        var diff = Admin(daemon.AdminToken, "policy", "diff", "--wallet", wallet, "--file", PolicyFile(Limited("2000")));
        Assert.True(diff.ExitCode == 0, diff.Stderr);
        var changed = diff.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(changed, l => l.StartsWith("- ", StringComparison.Ordinal) && l.Contains("\"1000\"", StringComparison.Ordinal));
        Assert.Contains(changed, l => l.StartsWith("+ ", StringComparison.Ordinal) && l.Contains("\"2000\"", StringComparison.Ordinal));
        Assert.Equal(version, (await daemon.Policy.GetPolicyAsync(new GetPolicyRequest { WalletId = wallet }, DaemonFixture.Bearer(daemon.AdminToken))).Version);

        var bad = Admin(daemon.AdminToken, "policy", "apply", "--wallet", wallet, "--file",
            PolicyFile("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": { \"eth\": { \"maxFee\": \"ten\" } }\n}"));
        Failed(bad, "error: INVALID_ARGUMENT INVALID_ARGUMENT: ");
        Assert.Contains("line 4", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Freeze_stops_signing_and_unfreeze_restores_it()
    {
        var wallet = await NewWalletAsync("cli-freeze");
        var sign = () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = "req-" + Guid.NewGuid().ToString("N"), WalletId = wallet, Chain = "eth", Payload = EvmPayloads.Eip1559(1),
        }, DaemonFixture.Bearer(daemon.SignerToken));

        var frozen = Admin(daemon.AuditorToken, "freeze", "--wallet", wallet, "--reason", "suspicious withdrawals");
        Assert.True(frozen.ExitCode == 0, frozen.Stderr);
        Assert.Contains("auditor-1", frozen.Stdout, StringComparison.Ordinal);
        await Errors.RefusedAsync(StatusCode.FailedPrecondition, "WALLET_FROZEN", sign);

        Failed(Admin(daemon.AuditorToken, "unfreeze", "--wallet", wallet), "error: PERMISSION_DENIED ROLE_REQUIRED");
        var unfrozen = Admin(daemon.AdminToken, "unfreeze", "--wallet", wallet);
        Assert.True(unfrozen.ExitCode == 0, unfrozen.Stderr);
        Assert.Contains("unfrozen", unfrozen.Stdout, StringComparison.Ordinal);
        await sign();
    }

    [Fact]
    public void A_signer_cannot_apply_and_the_scope_must_be_explicit()
    {
        var file = PolicyFile(DaemonFixture.GlobalPolicy);
        var refused = Admin(daemon.SignerToken, "policy", "apply", "--global", "--file", file);
        Failed(refused, "error: PERMISSION_DENIED ROLE_REQUIRED");
        Assert.DoesNotContain(daemon.SignerToken, refused.Stdout + refused.Stderr, StringComparison.Ordinal);

        Assert.Equal(CliRunnerUsageError, Admin(daemon.AdminToken, "policy", "show").ExitCode);
        Assert.Equal(CliRunnerUsageError, Admin(daemon.AdminToken, "policy", "show", "--global", "--wallet", "w").ExitCode);
    }

    private const int CliRunnerUsageError = 2;
}
