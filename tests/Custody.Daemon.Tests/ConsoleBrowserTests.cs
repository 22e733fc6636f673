using System.Text.Json;
using Custody.Core.Ledger;
using Custody.V1;
using Grpc.Core;

using WalletKind = Custody.V1.WalletKind;

namespace Custody.Daemon.Tests;

/// <summary>
/// The operator console in Debian's Chromium, on the shared daemon's console port: the front end is
/// compiled by tsc from the lock file and must equal the committed console/static/app.js; then
/// console/e2e/console.mjs (playwright-core, a CDP virtual authenticator) signs in, checks the
/// headers, cookie flags and CSRF refusals, registers two approvers' passkeys, approves a parked
/// request with both (and has the daemon refuse the captured assertion replayed, moved to another
/// request, from another origin and without UV), signs an approver in with his resident passkey (and
/// refuses an unregistered passkey, a replayed sign-in, an unknown challenge, missing UV, a cloned authenticator and
/// an admin-only call from that session), freezes a wallet, verifies an audit inclusion proof
/// in the browser and shows a tampered one as failed, saving screenshots to docs/console/. Here the
/// parked request is then signed over gRPC and the frozen wallet refuses to sign.
/// </summary>
[Collection(DaemonCollection.Name)]
public class ConsoleBrowserTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private const string Folder = "console";

    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);

    [BrowserFact]
    public async Task The_console_approves_with_passkeys_freezes_and_proves_audit_records_in_chromium()
    {
        // The committed bundle (served by scripts/run.sh without node) is exactly what tsc makes from the sources.
        var built = Directory.CreateTempSubdirectory("custody-console-").FullName;
        try
        {
            ChildProcess.Succeed(["node", Repository.File(Folder, "node_modules", "typescript", "bin", "tsc"), "-p", Repository.File(Folder), "--outFile", Path.Combine(built, "app.js")], [],
                timeout: TimeSpan.FromMinutes(2));
            Assert.True(File.ReadAllText(Path.Combine(built, "app.js")) == File.ReadAllText(Repository.File(Folder, "static", "app.js")),
                "console/static/app.js is not what tsc builds from console/src: run `npx tsc -p console` and commit it");
        }
        finally
        {
            Directory.Delete(built, recursive: true);
        }

        var suffix = Guid.NewGuid().ToString("N")[..8];
        string alice = "alice-ui-" + suffix, bob = "bob-ui-" + suffix;
        var approvalWallet = await daemon.TwoApprovalWalletAsync("console-approvals", alice, bob);
        var request = new SignTransactionRequest { RequestId = "ui-" + Guid.NewGuid().ToString("N"), WalletId = approvalWallet, Chain = "eth", Payload = EvmPayloads.Eip1559(1) };
        var other = new SignTransactionRequest { RequestId = "ui-" + Guid.NewGuid().ToString("N"), WalletId = approvalWallet, Chain = "eth", Payload = EvmPayloads.Eip1559(2) };
        var parked = await daemon.ParkAsync(request);
        var otherParked = await daemon.ParkAsync(other);

        // The wallet the console freezes signs before it.
        var frozen = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "console-freeze", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        SignTransactionRequest Send(ulong nonce) => new() { RequestId = "ui-" + Guid.NewGuid().ToString("N"), WalletId = frozen.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(nonce) };
        await daemon.Signing.SignTransactionAsync(Send(1), DaemonFixture.Bearer(daemon.SignerToken));

        var setup = JsonSerializer.Serialize(new
        {
            url = daemon.PasskeyOrigin,
            adminToken = daemon.AdminToken,
            aliceToken = daemon.NewToken(alice, Roles.Approver, WalletScope.All),
            bobToken = daemon.NewToken(bob, Roles.Approver, WalletScope.All),
            alice, bob,
            request = parked.RequestDigest,
            otherRequest = otherParked.RequestDigest,
            freezeWallet = frozen.WalletId,
            screenshots = Repository.File("docs", "console"),
        });
        var run = ChildProcess.Run(["node", Repository.File(Folder, "e2e", "console.mjs")], [], input: setup, timeout: TimeSpan.FromMinutes(3),
            workingDirectory: Repository.File(Folder));
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] checks =
        [
            "headers", "cross-origin sign-in refused", "session cookie", "csrf refused", "health", "passkeys registered", "alice approved in the browser",
            "refused replayed assertion", "refused assertion for another request", "refused wrong origin", "refused missing user verification",
            "bob approved in the browser: quorum reached", "refused unregistered passkey sign-in", "passkey sign-in", "passkey session approved a request",
            "admin-only refused in a passkey session", "refused replayed sign-in", "refused unknown challenge", "refused sign-in without user verification", "refused cloned passkey sign-in",
            "wallet frozen from the console", "inclusion proof verified in the browser",
            "tampered proof shown as failed", "tampered checkpoint signature shown as failed", "signed out", "no browser errors",
        ];
        foreach (var check in checks)
            Assert.True(run.Lines.Any(l => l.StartsWith($"ok {check}", StringComparison.Ordinal)), $"no 'ok {check}' line\n{run}");

        // Bob's passkey sign-in moved his counter with its audit record; the refused ones recorded nothing.
        var signIns = (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { Action = "console.signed-in", Principal = bob, Limit = 10 }, Admin)).Records;
        Assert.True(uint.Parse(Assert.Single(signIns).Details["sign_count"], System.Globalization.CultureInfo.InvariantCulture) > 1, signIns.ToString());
        var approvedInSession = (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { Action = "approval.recorded", Principal = bob, Limit = 10 }, Admin)).Records;
        Assert.Contains(approvedInSession, r => r.Details["request_digest"] == otherParked.RequestDigest);

        // The two browser approvals release the parked request; the console's freeze holds over gRPC.
        var signed = await daemon.Signing.SignTransactionAsync(request, DaemonFixture.Bearer(daemon.SignerToken));
        Assert.Equal("approvals", signed.PolicyRule);
        await Errors.RefusedAsync(StatusCode.FailedPrecondition, "WALLET_FROZEN", () => daemon.Signing.SignTransactionAsync(Send(2), DaemonFixture.Bearer(daemon.SignerToken)));
        var record = (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = frozen.WalletId, Action = "policy.frozen", Limit = 10 }, Admin)).Records;
        Assert.Equal("admin", Assert.Single(record).Principal);
        await daemon.Policy.UnfreezeAsync(new UnfreezeRequest { WalletId = frozen.WalletId }, Admin);
    }
}

/// <summary>A fact that needs node, console/node_modules (npm ci there) and Debian's Chromium; it says which is missing.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute() =>
        Skip = Node.Missing("console", "playwright-core") ?? (File.Exists(Chromium) ? null : $"{Chromium} not found (apt-get install chromium; scripts/test.sh installs it)");
}
