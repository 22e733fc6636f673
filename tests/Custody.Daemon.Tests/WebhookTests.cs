using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Custody.Core.Crypto;
using Custody.Core.Ledger;
using Custody.V1;
using Google.Protobuf;
using Grpc.Core;

using WalletKind = Custody.V1.WalletKind;

namespace Custody.Daemon.Tests;

/// <summary>
/// Webhooks against real receivers (Kestrel on loopback): every kind of event reaches both, signed
/// with each one's secret; a receiver that fails twice gets the event on the third attempt with the
/// same id; an event a receiver refused while the daemon stopped is delivered after the restart.
/// The shared daemon is restarted with two webhooks and, at the end, without them.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class WebhookTests(DaemonFixture daemon) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("custody-webhooks-");

    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Events_reach_every_receiver_signed_at_least_once_through_failures_and_a_restart()
    {
        await using var flaky = await WebhookReceiver.StartAsync();
        await using var steady = await WebhookReceiver.StartAsync();
        var (flakySecret, flakyFile) = Secret();
        var (steadySecret, steadyFile) = Secret();
        string[] webhooks = [$"--Webhooks:0:Url={flaky.Url}", $"--Webhooks:0:SecretFile={flakyFile}", $"--Webhooks:1:Url={steady.Url}", $"--Webhooks:1:SecretFile={steadyFile}"];
        var cursors = Path.Combine(daemon.DataDir, "webhooks");
        if (Directory.Exists(cursors)) Directory.Delete(cursors, recursive: true);
        flaky.FailNext = 2;
        await daemon.RestartAsync(webhooks);
        try
        {
            // Each sender starts at the end of the log once its cursor file exists: events from here on are its.
            await Eventually.SucceedsAsync(() =>
            {
                Assert.Equal(2, Directory.GetFiles(cursors, "*.cursor").Length);
                return Task.FromResult(true);
            }, Bound);

            var approverSeed = RandomNumberGenerator.GetBytes(32);
            var approver = "hook-approver-" + Guid.NewGuid().ToString("N")[..8];
            await daemon.Policy.RegisterApproverAsync(new RegisterApproverRequest
            {
                ApproverId = approver, Algorithm = ApproverKeyAlgorithm.Ed25519, PublicKey = ByteString.CopyFrom(Ed25519.GetPublicKey(approverSeed)),
            }, Admin);
            var approverToken = DaemonFixture.Bearer(daemon.NewToken(approver, Roles.Approver, WalletScope.All));
            var lasting = await WalletAsync(approver, "1h");
            var brief = await WalletAsync(approver, "1s");

            async Task VerdictAsync(ParkedRequest parked, bool approve)
            {
                var verdict = new SubmitVerdictRequest
                {
                    RequestDigest = parked.RequestDigest,
                    Signature = ByteString.CopyFrom(Ed25519.Sign(approverSeed, Encoding.ASCII.GetBytes(approve ? parked.ApproveStatement : parked.RejectStatement))),
                };
                var answer = approve ? await daemon.Signing.ApproveRequestAsync(verdict, approverToken) : await daemon.Signing.RejectRequestAsync(verdict, approverToken);
                Assert.Equal("Recorded", answer.Outcome);
            }
            var approved = await ParkAsync(lasting, 1, retry: true);
            await VerdictAsync(approved, approve: true);
            var rejected = await ParkAsync(lasting, 2, retry: true);
            await VerdictAsync(rejected, approve: false);
            var expiring = await ParkAsync(brief, 3, retry: false);
            await daemon.Policy.FreezeAsync(new FreezeRequest { WalletId = lasting, Reason = "webhook test" }, Admin);
            await daemon.Policy.UnfreezeAsync(new UnfreezeRequest { WalletId = lasting }, Admin);

            // request.expired comes when the sweep notices the closed window (each second): anywhere after its parking.
            string[] expected = ["request.parked", "request.approved", "request.parked", "request.rejected", "request.parked", "policy.frozen", "policy.unfrozen"];
            foreach (var (receiver, secret) in new[] { (steady, steadySecret), (flaky, flakySecret) })
            {
                var events = await Eventually.SucceedsAsync(() =>
                {
                    var accepted = receiver.Accepted.ToList();
                    Assert.Equal(expected.Length + 1, accepted.Count);
                    return Task.FromResult(accepted);
                }, Bound);
                Assert.Equal(expected, events.Select(e => e.EventType).Where(t => t != "request.expired"));
                var expired = Assert.Single(events, e => e.EventType == "request.expired");
                Assert.True(events.IndexOf(expired) > 4, "expired after it was parked");
                foreach (var e in events)
                {
                    using var body = JsonDocument.Parse(e.Body);
                    Assert.Equal(e.EventId, body.RootElement.GetProperty("id").GetString());
                    Assert.Equal(e.EventType, body.RootElement.GetProperty("type").GetString());
                    Assert.True(Verifies(e, secret), $"{e.EventId}: the signature does not verify with the receiver's secret");
                    Assert.False(Verifies(e, secret == steadySecret ? flakySecret : steadySecret), "another webhook's secret must not verify it");
                }
                Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
                var parked = JsonDocument.Parse(events[0].Body).RootElement;
                Assert.Equal(lasting, parked.GetProperty("walletId").GetString());
                Assert.Equal(approved.RequestDigest, parked.GetProperty("details").GetProperty("approval_request").GetString());
                Assert.Equal(expiring.RequestDigest, JsonDocument.Parse(expired.Body).RootElement.GetProperty("details").GetProperty("request_digest").GetString());
            }
            // The flaky receiver refused the first event twice: three attempts, one id, then the rest once each.
            var first = flaky.Attempts.Take(3).ToList();
            Assert.Single(first.Select(a => a.EventId).Distinct());
            Assert.Equal([false, false, true], first.Select(a => a.Accepted));

            // A receiver down across a daemon restart: the event waits in the log and comes with the same id.
            flaky.FailAll = true;
            var attemptsBefore = flaky.Attempts.Count;
            await daemon.Policy.FreezeAsync(new FreezeRequest { WalletId = brief, Reason = "across a restart" }, Admin);
            // Retries with back-off may come before this looks: every refused attempt is the same event.
            List<WebhookReceiver.Attempt> Refused() => [.. flaky.Attempts.Skip(attemptsBefore).Where(a => !a.Accepted)];
            await Eventually.SucceedsAsync(() => Task.FromResult(Assert.Single(Refused().Take(1), a => a.EventType == "policy.frozen")), Bound);
            var pendingId = Assert.Single(Refused().Select(a => a.EventId).Distinct());
            await daemon.RestartAsync(webhooks);
            flaky.FailAll = false;
            await Eventually.SucceedsAsync(() => Task.FromResult(Assert.Single(flaky.Accepted, a => a.EventId == pendingId)), Bound);
            // The steady receiver may have it twice: taken just before the restart, its cursor not yet
            // stored. At least once, with one id, is the promise; receivers deduplicate by id.
            await Eventually.SucceedsAsync(() => Task.FromResult(Assert.Single(steady.Accepted.Where(a => a.EventId == pendingId).Take(1))), Bound);

            foreach (var line in daemon.Logs.All)
            {
                Assert.DoesNotContain(flakySecret, line, StringComparison.Ordinal);
                Assert.DoesNotContain(steadySecret, line, StringComparison.Ordinal);
            }
        }
        finally
        {
            await daemon.RestartAsync();
        }
    }

    private (string Secret, string File) Secret()
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var path = Path.Combine(_dir.FullName, Guid.NewGuid().ToString("N") + ".secret");
        File.WriteAllText(path, secret + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        daemon.Secrets.Add(secret);
        return (secret, path);
    }

    /// <summary>What a receiver does: HMAC-SHA256 over "t.body" with its secret, compared with v1 (docs/webhooks.md).</summary>
    private static bool Verifies(WebhookReceiver.Attempt e, string secret)
    {
        var parts = e.Signature.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        byte[] signed = [.. Encoding.ASCII.GetBytes(parts["t"] + "."), .. e.Body];
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return CryptographicOperations.FixedTimeEquals(mac, Convert.FromHexString(parts["v1"]));
    }

    private async Task<string> WalletAsync(string approver, string expiry)
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "hooks", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        await daemon.Policy.SetPolicyAsync(new SetPolicyRequest
        {
            WalletId = wallet.WalletId,
            Document = $$"""
                { "schema": "custody-policy/v1", "principals": ["signer-1"],
                  "approvals": { "required": 1, "approvers": ["{{approver}}"], "expiry": "{{expiry}}" },
                  "chains": { "eth": { "assets": { "native": { "approvalAbove": "1" } } } } }
                """,
        }, Admin);
        return wallet.WalletId;
    }

    private async Task<ParkedRequest> ParkAsync(string wallet, ulong nonce, bool retry)
    {
        var request = new SignTransactionRequest { RequestId = "req-" + Guid.NewGuid().ToString("N"), WalletId = wallet, Chain = "eth", Payload = EvmPayloads.Eip1559(nonce) };
        var refusal = await Errors.RefusedAsync(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED",
            () => daemon.Signing.SignTransactionAsync(request, DaemonFixture.Bearer(daemon.SignerToken)));
        // A retry while it waits is no new "parked" event.
        if (retry) await Errors.RefusedAsync(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED", () => daemon.Signing.SignTransactionAsync(request, DaemonFixture.Bearer(daemon.SignerToken)));
        return await daemon.Signing.GetRequestAsync(new GetRequestRequest { RequestDigest = refusal.Metadata["request_digest"] }, Admin);
    }
}
