using System.Text.RegularExpressions;
using Custody.Storage;
using Custody.V1;
using Grpc.Core;

namespace Custody.Daemon.Tests;

/// <summary>
/// Issue 9: <c>custody-admin kek rotate</c> runs as its own process against the data directory
/// of a daemon that keeps signing. Both processes share the SoftHSM token, the SQLite file and
/// the audit log. No signature may fail: a cached wallet row whose seed the rotation resealed
/// is read again, and the old KEK is destroyed only after the new seals are committed.
/// </summary>
[Collection(DaemonCollection.Name)]
public partial class KekRotationWhileSigningTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private const int MaxSignatures = 20_000;
    private const int SignaturesAfterRotation = 10;

    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);

    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    [Fact]
    public async Task Signing_never_fails_while_the_cli_rotates_the_kek_and_the_audit_log_verifies_after()
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "rotation-hot", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        var address = (await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Index = 0 }, Signer)).Address;
        Assert.Equal(address, await SignAsync(wallet.WalletId, nonce: 0));

        var rotated = 0;
        var signedAfter = 0;
        var signedTotal = 0;
        var signer = Task.Run(async () =>
        {
            var count = 0;
            for (ulong nonce = 1; count < MaxSignatures; nonce++, count++)
            {
                // Every signature, before, during and after the rotation, comes from the same key.
                Assert.Equal(address, await SignAsync(wallet.WalletId, nonce));
                Interlocked.Increment(ref signedTotal);
                if (Volatile.Read(ref rotated) == 1 && ++signedAfter >= SignaturesAfterRotation) break;
            }
            return count;
        });

        ChildProcess.Result rotation;
        var signedBefore = 0;
        var signedDuring = 0;
        try
        {
            // Let the loop run first, so signatures span the whole rotation.
            while (Volatile.Read(ref signedTotal) < 5 && !signer.IsCompleted) await Task.Delay(10);
            signedBefore = Volatile.Read(ref signedTotal);
            rotation = await Task.Run(() => ChildProcess.AdminSucceeds("kek", "rotate", "--data-dir", daemon.DataDir));
            signedDuring = Volatile.Read(ref signedTotal) - signedBefore;
        }
        finally
        {
            Volatile.Write(ref rotated, 1);
        }
        var signedWhileRunning = await signer;
        Assert.True(signedDuring > 0, $"no signature while the rotation ran ({signedBefore} before)");
        Assert.True(signedAfter >= SignaturesAfterRotation,
            $"the signer stopped after {signedWhileRunning} signatures, {signedAfter} of them after the rotation (bound {MaxSignatures})");
        Console.WriteLine($"kek rotation while signing: {signedBefore} signatures before, {signedDuring} during, {signedAfter} after");
        Assert.Matches(RotatedLine(), rotation.Stdout.Trim());

        // The cached row was resealed under the new KEK: signing still works and reads it again at most once.
        Assert.Equal(address, await SignAsync(wallet.WalletId, nonce: 10_000));

        // A wallet created after the rotation is sealed under the newest KEK and signs.
        var later = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "rotation-later", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        var laterAddress = (await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = later.WalletId, Chain = "eth", Index = 0 }, Signer)).Address;
        Assert.Equal(laterAddress, await SignAsync(later.WalletId, nonce: 0));

        // Daemon and CLI appended to one audit log; it is gap-free and every checkpoint verifies.
        var dir = new DataDirectory(daemon.DataDir);
        var verdict = await daemon.Audit.VerifyAsync(new VerifyAuditRequest(), DaemonFixture.Bearer(daemon.AuditorToken));
        Assert.True(verdict.Intact, verdict.Failure);
        var offline = ChildProcess.AdminSucceeds("audit", "verify", "--db", dir.Ledger, "--key", dir.AuditVerifierKey);
        Assert.Contains("intact", offline.Stdout, StringComparison.OrdinalIgnoreCase);
        var rotationRecords = await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { Action = "kek.rotate.complete" }, DaemonFixture.Bearer(daemon.AuditorToken));
        Assert.NotEmpty(rotationRecords.Records);
    }

    private async Task<string> SignAsync(string walletId, ulong nonce)
    {
        var reply = await daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = "req-" + Guid.NewGuid().ToString("N"),
            WalletId = walletId,
            Chain = "eth",
            Payload = EvmPayloads.Eip1559(nonce),
        }, Signer);
        return EvmPayloads.RecoverEvmSigner(reply.SignedPayload);
    }

    [GeneratedRegex(@"^kek: v(\d+); \d+ seeds resealed; destroyed v\d+$")]
    private static partial Regex RotatedLine();
}
