using System.Security.Cryptography;
using Custody.Core.Crypto;
using Custody.Storage.Tokens;
using Custody.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Custody.Daemon.Tests;

/// <summary>
/// What a wallet-scoped token may not do (issue #15, items 6 and 7): reach global objects, or
/// reach another wallet's objects through a key other than its wallet id.
/// </summary>
[Collection(DaemonCollection.Name)]
public class ScopeTests(DaemonFixture daemon)
{
    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);

    private Metadata Auditor => DaemonFixture.Bearer(daemon.AuditorToken);

    private static string Suffix() => Guid.NewGuid().ToString("N")[..8];

    private async Task<Wallet> NewWalletAsync(string name, string? policy = null)
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = name, Kind = WalletKind.Hd }, Admin);
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
            () => daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "mine", Kind = WalletKind.Hd }, adminOfX));

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
