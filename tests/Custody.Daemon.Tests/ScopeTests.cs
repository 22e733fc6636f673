using System.Security.Cryptography;
using System.Text;
using Custody.Core.Crypto;
using Custody.Core.Ledger;
using Custody.V1;
using Google.Protobuf;
using Grpc.Core;

using WalletKind = Custody.V1.WalletKind;

namespace Custody.Daemon.Tests;

/// <summary>
/// What a wallet-scoped token may not do (issue #15, items 6 and 7): reach global objects,
/// reach another wallet's objects through a key other than its wallet id, or act as an approver
/// it is not.
/// </summary>
[Collection(DaemonCollection.Name)]
public class ScopeTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);

    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    private Metadata Auditor => DaemonFixture.Bearer(daemon.AuditorToken);

    private static string Suffix() => Guid.NewGuid().ToString("N")[..8];

    private async Task<Wallet> NewWalletAsync(string name, string? policy = null)
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = name, Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        if (policy is not null) await daemon.Policy.SetPolicyAsync(new SetPolicyRequest { WalletId = wallet.WalletId, Document = policy }, Admin);
        return wallet;
    }

    /// <summary>A wallet whose 0.01 ETH transfers by signer-1 need two of the three approvers.</summary>
    private Task<Wallet> NewTwoOfThreeWalletAsync(string alice, string bob, string carol) => NewWalletAsync("two-of-three", $$"""
        { "schema": "custody-policy/v1", "principals": ["signer-1"],
          "approvals": { "required": 2, "approvers": ["{{alice}}", "{{bob}}", "{{carol}}"], "expiry": "1h" },
          "chains": { "eth": { "assets": { "native": { "approvalAbove": "1000000000000000" } } } } }
        """);

    private Task RegisterAsync(string approverId, byte[] seed, Metadata caller) =>
        daemon.Policy.RegisterApproverAsync(new RegisterApproverRequest
        {
            ApproverId = approverId, Algorithm = ApproverKeyAlgorithm.Ed25519, PublicKey = ByteString.CopyFrom(Ed25519.GetPublicKey(seed)),
        }, caller).ResponseAsync;

    private static SubmitVerdictRequest Approval(ParkedRequest parked, string approverId, byte[] seed) => new()
    {
        RequestDigest = parked.RequestDigest, ApproverId = approverId,
        Signature = ByteString.CopyFrom(Ed25519.Sign(seed, Encoding.ASCII.GetBytes(parked.ApproveStatement))),
    };

    private async Task<(SignTransactionRequest Request, ParkedRequest Parked)> ParkAsync(Wallet wallet)
    {
        var request = new SignTransactionRequest
        {
            RequestId = "scope-" + Suffix(), WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(7),
        };
        var parked = await Errors.RefusedAsync(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED", () => daemon.Signing.SignTransactionAsync(request, Signer));
        var view = await daemon.Signing.GetRequestAsync(new GetRequestRequest { RequestDigest = parked.Metadata["request_digest"] }, Admin);
        return (request, view);
    }

    [Fact]
    public async Task A_forged_approval_through_a_scoped_admin_gets_nothing_signed()
    {
        // Issue #15 item 6: the admin of wallet X registers its own key as "carol", one of wallet Y's
        // approvers; an accomplice approver of Y submits carol's forged approval beside its own.
        var suffix = Suffix();
        var (alice, carol) = ("alice-" + suffix, "carol-" + suffix);
        var aliceKey = RandomNumberGenerator.GetBytes(32);
        var attackerKey = RandomNumberGenerator.GetBytes(32);
        await RegisterAsync(alice, aliceKey, Admin);
        var walletX = await NewWalletAsync("x");
        var walletY = await NewTwoOfThreeWalletAsync(alice, "bob-" + suffix, carol);
        var adminOfX = DaemonFixture.Bearer(daemon.NewToken("admin-of-x-" + suffix, Roles.Admin, WalletScope.Of([walletX.WalletId])));
        var aliceToken = DaemonFixture.Bearer(daemon.NewToken(alice, Roles.Approver, WalletScope.Of([walletY.WalletId])));

        await Errors.RefusedAsync(StatusCode.PermissionDenied, "WALLET_NOT_IN_SCOPE", () => RegisterAsync(carol, attackerKey, adminOfX));
        var (request, parked) = await ParkAsync(walletY);
        Assert.Equal("Recorded", (await daemon.Signing.ApproveRequestAsync(Approval(parked, alice, aliceKey), aliceToken)).Outcome);
        var mismatch = await Errors.RefusedAsync(StatusCode.PermissionDenied, "PRINCIPAL_MISMATCH",
            () => daemon.Signing.ApproveRequestAsync(Approval(parked, carol, attackerKey), aliceToken));
        Assert.Equal("approver_id", mismatch.Metadata["field"]);

        await Errors.RefusedAsync(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED", () => daemon.Signing.SignTransactionAsync(request, Signer));
    }

    [Fact]
    public async Task An_approver_submits_only_its_own_verdicts_even_holding_another_approvers_key()
    {
        var suffix = Suffix();
        var (alice, bob, carol) = ("alice-" + suffix, "bob-" + suffix, "carol-" + suffix);
        var aliceKey = RandomNumberGenerator.GetBytes(32);
        var carolKey = RandomNumberGenerator.GetBytes(32);
        await RegisterAsync(alice, aliceKey, Admin);
        await RegisterAsync(carol, carolKey, Admin);
        var wallet = await NewTwoOfThreeWalletAsync(alice, bob, carol);
        var aliceToken = DaemonFixture.Bearer(daemon.NewToken(alice, Roles.Approver, WalletScope.All));
        var carolToken = DaemonFixture.Bearer(daemon.NewToken(carol, Roles.Approver, WalletScope.All));
        var (request, parked) = await ParkAsync(wallet);

        // Alice holds carol's key too (stolen, or shared): her token still speaks only for alice.
        var mismatch = await Errors.RefusedAsync(StatusCode.PermissionDenied, "PRINCIPAL_MISMATCH",
            () => daemon.Signing.ApproveRequestAsync(Approval(parked, carol, carolKey), aliceToken));
        Assert.Equal(carol, mismatch.Metadata["approver_id"]);
        await Errors.RefusedAsync(StatusCode.PermissionDenied, "PRINCIPAL_MISMATCH",
            () => daemon.Signing.RejectRequestAsync(new SubmitVerdictRequest { RequestDigest = parked.RequestDigest, ApproverId = carol, Signature = ByteString.CopyFrom(new byte[64]) }, aliceToken));

        // Without approver_id the verdict is the caller's own.
        var own = Approval(parked, "", aliceKey);
        var first = await daemon.Signing.ApproveRequestAsync(own, aliceToken);
        Assert.Equal("Recorded", first.Outcome);
        Assert.Equal(1u, first.Approvals);
        await Errors.RefusedAsync(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED", () => daemon.Signing.SignTransactionAsync(request, Signer));

        var second = await daemon.Signing.ApproveRequestAsync(Approval(parked, carol, carolKey), carolToken);
        Assert.True(second.QuorumReached);
        Assert.Equal("approvals", (await daemon.Signing.SignTransactionAsync(request, Signer)).PolicyRule);
    }

    [Fact]
    public async Task A_wallet_scoped_admin_cannot_register_or_revoke_approvers_or_create_wallets()
    {
        // Issue #15 item 7: approvers and wallet creation are global; a scoped admin revoked an
        // approver that another wallet's policy names.
        var suffix = Suffix();
        var alice = "alice-" + suffix;
        await RegisterAsync(alice, RandomNumberGenerator.GetBytes(32), Admin);
        var walletX = await NewWalletAsync("x");
        await NewTwoOfThreeWalletAsync(alice, "bob-" + suffix, "carol-" + suffix);
        var adminOfX = DaemonFixture.Bearer(daemon.NewToken("admin-of-x-" + suffix, Roles.Admin, WalletScope.Of([walletX.WalletId])));

        await Errors.RefusedAsync(StatusCode.PermissionDenied, "WALLET_NOT_IN_SCOPE",
            () => daemon.Policy.RevokeApproverAsync(new RevokeApproverRequest { ApproverId = alice }, adminOfX));
        await Errors.RefusedAsync(StatusCode.PermissionDenied, "WALLET_NOT_IN_SCOPE", () => RegisterAsync("dave-" + suffix, RandomNumberGenerator.GetBytes(32), adminOfX));
        await Errors.RefusedAsync(StatusCode.PermissionDenied, "WALLET_NOT_IN_SCOPE",
            () => daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "mine", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, adminOfX));

        // Alice's key was still active: only now does an unscoped admin revoke it.
        Assert.True((await daemon.Policy.RevokeApproverAsync(new RevokeApproverRequest { ApproverId = alice }, Admin)).Revoked);
    }

    [Fact]
    public async Task A_wallet_scoped_auditor_gets_inclusion_proofs_of_its_wallets_records_only()
    {
        var walletX = await NewWalletAsync("x", DaemonFixture.GlobalPolicy);
        var walletY = await NewWalletAsync("y", DaemonFixture.GlobalPolicy);
        var auditorOfX = DaemonFixture.Bearer(daemon.NewToken("auditor-of-x-" + Suffix(), Roles.Auditor, WalletScope.Of([walletX.WalletId])));
        var ofX = await PublicationSequenceAsync(walletX.WalletId);
        var ofY = await PublicationSequenceAsync(walletY.WalletId);
        var global = (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { Limit = 1000 }, Auditor)).Records.First(r => r.WalletId == "").Sequence;
        await Eventually.SucceedsAsync(async () => await daemon.Audit.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = Math.Max(ofX, ofY) }, Auditor),
            TimeSpan.FromSeconds(30));

        var own = await daemon.Audit.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = ofX }, auditorOfX);
        Assert.Equal(walletX.WalletId, Core.Audit.AuditRecordEncoding.Decode(own.RecordData.ToByteArray()).WalletId);
        foreach (var sequence in new[] { ofY, global })
        {
            var refusal = await Errors.RefusedAsync(StatusCode.PermissionDenied, "WALLET_NOT_IN_SCOPE",
                () => daemon.Audit.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = sequence }, auditorOfX));
            Assert.DoesNotContain(walletY.WalletId, refusal.ToString(), StringComparison.Ordinal); // nor whose record it is
        }
    }

    [Fact]
    public async Task A_wallet_scoped_token_cannot_reach_the_global_scope()
    {
        var wallet = await NewWalletAsync("scoped-everything");
        var scoped = DaemonFixture.Bearer(daemon.NewToken("scoped-everything-" + Suffix(),
            Roles.Signer | Roles.Approver | Roles.Auditor | Roles.Admin, WalletScope.Of([wallet.WalletId])));
        // An empty wallet_id names the global policy, the global freeze, or every wallet's requests and records.
        Func<Task>[] calls =
        [
            () => daemon.Policy.GetPolicyAsync(new GetPolicyRequest(), scoped).ResponseAsync,
            () => daemon.Policy.SetPolicyAsync(new SetPolicyRequest { Document = DaemonFixture.GlobalPolicy }, scoped).ResponseAsync,
            () => daemon.Policy.FreezeAsync(new FreezeRequest { Reason = "scoped" }, scoped).ResponseAsync,
            () => daemon.Policy.UnfreezeAsync(new UnfreezeRequest(), scoped).ResponseAsync,
            () => daemon.Policy.GetFreezeAsync(new GetFreezeRequest(), scoped).ResponseAsync,
            () => daemon.Signing.ListParkedRequestsAsync(new ListParkedRequestsRequest(), scoped).ResponseAsync,
            () => daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest(), scoped).ResponseAsync,
            () => daemon.Audit.VerifyAsync(new VerifyAuditRequest(), scoped).ResponseAsync,
        ];
        foreach (var call in calls) await Errors.RefusedAsync(StatusCode.PermissionDenied, "WALLET_NOT_IN_SCOPE", call);
        Assert.False((await daemon.Policy.GetFreezeAsync(new GetFreezeRequest(), Admin)).Frozen);
    }

    /// <summary>The sequence of the record of the wallet's policy publication.</summary>
    private async Task<ulong> PublicationSequenceAsync(string walletId) =>
        (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = walletId, Action = "policy.published" }, Auditor)).Records.First().Sequence;
}
