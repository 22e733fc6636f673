using System.Globalization;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Core.Hd;
using Custody.Core.Ledger;
using Custody.Storage;
using Custody.V1;
using Grpc.Core;

using WalletKind = Custody.V1.WalletKind;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class AuditTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private Metadata Auditor => DaemonFixture.Bearer(daemon.AuditorToken);

    private async Task<List<V1.AuditRecord>> RecordsAsync(string walletId, string action) =>
        [.. (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = walletId, Action = action, Limit = 1000 }, Auditor)).Records];

    [Fact]
    public async Task A_signature_is_one_record_with_decision_and_result_and_a_retry_adds_nothing()
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "audited", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken));
        var signer = DaemonFixture.Bearer(daemon.SignerToken);
        var address = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "btc", Index = 0 }, signer);
        var (psbt, _) = BitcoinPayloads.P2wpkhSpend(uint.Parse(wallet.MasterFingerprint, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            KeyPath.Parse(address.DerivationPath), Convert.FromHexString(address.PublicKey), 50_000, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", 40_000);
        var request = new SignTransactionRequest { RequestId = "audited-1", WalletId = wallet.WalletId, Chain = "btc", Payload = psbt };
        var reply = await daemon.Signing.SignTransactionAsync(request, signer);
        Assert.Equal(reply, await daemon.Signing.SignTransactionAsync(request, signer)); // a retry

        var record = Assert.Single(await RecordsAsync(wallet.WalletId, "sign.transaction"));
        Assert.Equal(reply.Audit.Sequence, record.Sequence);
        Assert.Equal(reply.Audit.Sequence, reply.Audit.DecisionSequence); // deprecated fields name the same record
        Assert.Equal(reply.Audit.Sequence, reply.Audit.ResultSequence);
        Assert.Equal("Allow", record.Decision);
        Assert.Equal(reply.PolicyRule, record.Rule);
        Assert.Equal("signer-1", record.Principal);
        Assert.Equal(reply.PayloadDigest, record.RequestDigest);
        Assert.Equal("audited-1", record.Details["request_id"]);
        Assert.Equal(reply.TxId, record.TxId);
        Assert.False(string.IsNullOrEmpty(record.ResultDigest));

        // The receipt's records are provably in the signed tree once the next checkpoint is out,
        // checked here as an outsider would: leaf hash, path, the signed root, the exported key.
        var verifierKey = NoteVerifierKey.Parse((await daemon.Audit.VerifyAsync(new VerifyAuditRequest(), Auditor)).VerifierKey);
        foreach (var sequence in new[] { reply.Audit.Sequence })
        {
            var proof = await Eventually.SucceedsAsync(
                async () => await daemon.Audit.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = sequence }, Auditor),
                TimeSpan.FromSeconds(30));
            var checkpoint = Checkpoint.Open(proof.Checkpoint, verifierKey);
            Assert.Equal((long)proof.TreeSize, checkpoint.Size);
            var inclusion = new InclusionProof((long)sequence, (long)proof.TreeSize, [.. proof.Path.Select(p => p.ToByteArray())]);
            Assert.True(inclusion.Verify(MerkleHash.Leaf(proof.RecordData.Span), checkpoint.RootHash.Span));
            Assert.False(inclusion.Verify(MerkleHash.Leaf([.. proof.RecordData.Span, 0]), checkpoint.RootHash.Span));
            if (proof.CheckpointIndex > 0)
            {
                var consistency = await daemon.Audit.GetConsistencyProofAsync(
                    new GetConsistencyProofRequest { FromCheckpoint = 0, ToCheckpoint = proof.CheckpointIndex }, Auditor);
                var first = Checkpoint.Open(consistency.FromCheckpointNote, verifierKey);
                Assert.True(new ConsistencyProof((long)consistency.FromSize, (long)consistency.ToSize, [.. consistency.Path.Select(p => p.ToByteArray())])
                    .Verify(first.RootHash.Span, checkpoint.RootHash.Span));
            }
        }
        var tooNew = await Assert.ThrowsAsync<RpcException>(() =>
            daemon.Audit.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = 1UL << 40 }, Auditor).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, tooNew.StatusCode);
    }

    [Fact]
    public async Task Refused_calls_are_audited_with_the_principal_and_the_reason()
    {
        var marker = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "refusals", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken));
        var scoped = daemon.NewToken("scoped-auditee", Roles.Signer, WalletScope.Parse("w_000000000000000000000001"));
        await Assert.ThrowsAsync<RpcException>(async () => await daemon.Wallets.GetWalletAsync(new GetWalletRequest { WalletId = marker.WalletId }, DaemonFixture.Bearer(scoped)));

        // Refusals are appended without making the refused caller wait for the commit.
        var refusal = await Eventually.SucceedsAsync(async () => Assert.Single(await RecordsAsync(marker.WalletId, "auth.refused")), TimeSpan.FromSeconds(5));
        Assert.Equal("scoped-auditee", refusal.Principal);
        Assert.Equal("WALLET_NOT_IN_SCOPE", refusal.Details["reason"]);
        Assert.Equal("/custody.v1.WalletService/GetWallet", refusal.Details["method"]);
    }

    [Fact]
    public async Task The_log_verifies_through_the_rpc_and_through_the_offline_cli()
    {
        var verdict = await daemon.Audit.VerifyAsync(new VerifyAuditRequest(), Auditor);
        Assert.True(verdict.Intact, verdict.Failure);
        Assert.True(verdict.RecordCount >= 1); // at least init's own record
        Assert.StartsWith(DataDirectory.AuditKeyName + "+", verdict.VerifierKey, StringComparison.Ordinal);

        var dir = new DataDirectory(daemon.DataDir);
        Assert.Equal(verdict.VerifierKey, (await File.ReadAllTextAsync(dir.AuditVerifierKey)).Trim());
        var offline = ChildProcess.AdminSucceeds("audit", "verify", "--db", dir.Ledger, "--key", dir.AuditVerifierKey);
        Assert.Contains("intact", offline.Stdout, StringComparison.OrdinalIgnoreCase);

        await Errors.RefusedAsync(StatusCode.PermissionDenied, "ROLE_REQUIRED",
            () => daemon.Audit.VerifyAsync(new VerifyAuditRequest(), DaemonFixture.Bearer(daemon.SignerToken)));
    }
}
