using Custody.Core.Ledger;
using System.Security.Cryptography;
using System.Text;
using Custody.Core.Chains.Evm;
using Custody.Core.Crypto;
using Custody.V1;
using Google.Protobuf;
using Grpc.Core;

using WalletKind = Custody.V1.WalletKind;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class PolicyTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);

    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    private Metadata Approver => DaemonFixture.Bearer(daemon.ApproverToken);

    private async Task<Wallet> NewWalletWithPolicyAsync(string name, string ethRules, string extra = "")
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = name, Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        var published = await daemon.Policy.SetPolicyAsync(new SetPolicyRequest
        {
            WalletId = wallet.WalletId,
            Document = $$"""{ "schema": "custody-policy/v1", "principals": ["signer-1"], {{extra}} "chains": { "eth": {{ethRules}} } }""",
        }, Admin);
        Assert.True(published.Changed);
        return wallet;
    }

    private static string Id() => "req-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_limit_refuses_by_rule_and_the_dry_run_gives_the_same_decision_without_reserving()
    {
        // 0.001 ETH per transaction; the test transfers 0.01 ETH.
        var wallet = await NewWalletWithPolicyAsync("limited", """{ "assets": { "native": { "maxPerTransaction": "1000000000000000" } } }""");
        var dry = await daemon.Policy.DryRunAsync(new DryRunRequest { WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(1) }, Signer);
        Assert.Equal("Deny", dry.Outcome);
        Assert.Equal("max-per-transaction", dry.Rule);
        Assert.Equal("10000000000000000", dry.Intent.Outputs[0].Amount);

        var denied = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED", () => daemon.Signing.SignTransactionAsync(
            new SignTransactionRequest { RequestId = Id(), WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(1) }, Signer));
        Assert.Equal("max-per-transaction", denied.Metadata["rule"]);
        Assert.Equal(dry.PolicyVersion.ToString(), denied.Metadata["policy_version"]);

        var current = await daemon.Policy.GetPolicyAsync(new GetPolicyRequest { WalletId = wallet.WalletId }, Signer);
        Assert.Contains("\"maxPerTransaction\": \"1000000000000000\"", current.Document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_policy_is_refused_naming_the_line_and_only_an_admin_publishes()
    {
        var info = await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => daemon.Policy.SetPolicyAsync(new SetPolicyRequest
        {
            Document = "{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": { \"eth\": { \"maxFee\": \"ten\" } }\n}",
        }, Admin));
        Assert.Contains("line 4", (await Assert.ThrowsAsync<RpcException>(async () => await daemon.Policy.SetPolicyAsync(new SetPolicyRequest
        {
            Document = "{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": { \"eth\": { \"maxFee\": \"ten\" } }\n}",
        }, Admin))).Status.Detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(info.Metadata["field"]));
        await Errors.RefusedAsync(StatusCode.PermissionDenied, "ROLE_REQUIRED",
            () => daemon.Policy.SetPolicyAsync(new SetPolicyRequest { Document = DaemonFixture.GlobalPolicy }, Signer));
    }

    // A lone surrogate arrives as a JSON escape (protobuf strings are UTF-8 on the wire); it has no
    // UTF-8 form for the canonical document, so it is refused where it is read, with its line.
    [Fact]
    public async Task A_lone_surrogate_in_a_policy_document_is_invalid_argument_naming_its_line()
    {
        async Task<string> Refused(string document)
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await daemon.Policy.SetPolicyAsync(new SetPolicyRequest { Document = document }, Admin));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Equal("policy", e.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>().Metadata["field"]);
            return e.Status.Detail;
        }

        var inValue = await Refused("{\n  \"schema\": \"custody-policy/v1\",\n  \"description\": \"treasury \\ud800\",\n  \"principals\": [],\n  \"chains\": {}\n}");
        Assert.StartsWith("policy: line 3: description:", inValue, StringComparison.Ordinal);
        var inName = await Refused("{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [],\n  \"chains\": {\n    \"\\udc00eth\": {}\n  }\n}");
        Assert.StartsWith("policy: line 5: chains:", inName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frozen_wallet_signs_nothing_until_an_admin_unfreezes_it()
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "freezable", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        var auditor = DaemonFixture.Bearer(daemon.AuditorToken);
        var frozen = await daemon.Policy.FreezeAsync(new FreezeRequest { WalletId = wallet.WalletId, Reason = "suspicious withdrawals" }, auditor);
        Assert.True(frozen.Frozen);
        Assert.Equal("auditor-1", frozen.FrozenBy);

        var info = await Errors.RefusedAsync(StatusCode.FailedPrecondition, "WALLET_FROZEN", () => daemon.Signing.SignTransactionAsync(
            new SignTransactionRequest { RequestId = Id(), WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(1) }, Signer));
        Assert.Equal("frozen", info.Metadata["rule"]);
        await Errors.RefusedAsync(StatusCode.PermissionDenied, "ROLE_REQUIRED",
            () => daemon.Policy.UnfreezeAsync(new UnfreezeRequest { WalletId = wallet.WalletId }, auditor)); // stopping is open, resuming is not

        Assert.True((await daemon.Policy.UnfreezeAsync(new UnfreezeRequest { WalletId = wallet.WalletId }, Admin)).WasFrozen);
        Assert.False((await daemon.Policy.GetFreezeAsync(new GetFreezeRequest { WalletId = wallet.WalletId }, Signer)).Frozen);
        await daemon.Signing.SignTransactionAsync(
            new SignTransactionRequest { RequestId = Id(), WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(1) }, Signer);

        var changes = await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = wallet.WalletId, Limit = 100 }, auditor);
        Assert.Contains(changes.Records, r => r.Action == "policy.frozen" && r.Principal == "auditor-1");
        Assert.Contains(changes.Records, r => r.Action == "policy.unfrozen" && r.Principal == "admin");
    }

    [Fact]
    public async Task A_large_transfer_waits_for_two_signed_approvals_then_the_same_request_is_signed()
    {
        var alice = RandomNumberGenerator.GetBytes(32);
        var bob = RandomNumberGenerator.GetBytes(32);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        foreach (var (id, seed) in new[] { ("alice-" + suffix, alice), ("bob-" + suffix, bob) })
        {
            await daemon.Policy.RegisterApproverAsync(new RegisterApproverRequest
            {
                ApproverId = id, Algorithm = ApproverKeyAlgorithm.Ed25519, PublicKey = ByteString.CopyFrom(Ed25519.GetPublicKey(seed)),
            }, Admin);
        }
        var wallet = await NewWalletWithPolicyAsync("approvals",
            """{ "assets": { "native": { "approvalAbove": "1000000000000000" } } }""",
            $$""" "approvals": { "required": 2, "approvers": ["alice-{{suffix}}", "bob-{{suffix}}", "carol-{{suffix}}"], "expiry": "1h" }, """);
        var request = new SignTransactionRequest { RequestId = Id(), WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(3) };

        var parked = await Errors.RefusedAsync(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED", () => daemon.Signing.SignTransactionAsync(request, Signer));
        Assert.Equal("2", parked.Metadata["approvals_required"]);
        var digest = parked.Metadata["request_digest"];

        var view = await daemon.Signing.GetRequestAsync(new GetRequestRequest { RequestDigest = digest }, Approver);
        Assert.Equal("signer-1", view.Principal);
        Assert.Equal("10000000000000000", view.Intent.Outputs[0].Amount);
        Assert.StartsWith("custody-approval-v1\nrequest:" + digest, view.ApproveStatement, StringComparison.Ordinal);
        Assert.Contains(await daemon.Signing.ListParkedRequestsAsync(new ListParkedRequestsRequest { WalletId = wallet.WalletId }, Approver)
            .ResponseAsync.ContinueWith(t => t.Result.Requests), r => r.RequestDigest == digest);

        SubmitVerdictRequest Verdict(string approver, byte[] seed, string statement) => new()
        {
            RequestDigest = digest, ApproverId = approver, Signature = ByteString.CopyFrom(Ed25519.Sign(seed, Encoding.ASCII.GetBytes(statement))),
        };
        // Each approver submits its own verdict with its own token.
        var aliceToken = DaemonFixture.Bearer(daemon.NewToken("alice-" + suffix, Roles.Approver, WalletScope.All));
        var bobToken = DaemonFixture.Bearer(daemon.NewToken("bob-" + suffix, Roles.Approver, WalletScope.All));
        var forged = await daemon.Signing.ApproveRequestAsync(Verdict("alice-" + suffix, bob, view.ApproveStatement), aliceToken);
        Assert.Equal("Refused", forged.Outcome);
        await Errors.RefusedAsync(StatusCode.PermissionDenied, "PRINCIPAL_MISMATCH",
            () => daemon.Signing.ApproveRequestAsync(Verdict("alice-" + suffix, alice, view.ApproveStatement), bobToken));
        var first = await daemon.Signing.ApproveRequestAsync(Verdict("alice-" + suffix, alice, view.ApproveStatement), aliceToken);
        Assert.Equal("Recorded", first.Outcome);
        Assert.False(first.QuorumReached);
        await Errors.RefusedAsync(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED", () => daemon.Signing.SignTransactionAsync(request, Signer));

        var second = await daemon.Signing.ApproveRequestAsync(Verdict("bob-" + suffix, bob, view.ApproveStatement), bobToken);
        Assert.True(second.QuorumReached);
        var reply = await daemon.Signing.SignTransactionAsync(request, Signer);
        Assert.Equal("approvals", reply.PolicyRule);
        var address = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Index = 0 }, Signer);
        Assert.Equal(address.Address, EvmPayloads.RecoverEvmSigner(reply.SignedPayload));
        Assert.Equal("Released", (await daemon.Signing.GetRequestAsync(new GetRequestRequest { RequestDigest = digest }, Approver)).State);
    }

    [Fact]
    public async Task With_raw_signing_allowed_messages_are_signed_by_the_wallet_key()
    {
        var wallet = await NewWalletWithPolicyAsync("messages-allowed", """{ "rawSigning": true }""");
        var address = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Index = 2 }, Signer);
        var message = "Sign in to example.com\nnonce: 42"u8.ToArray();

        var reply = await daemon.Signing.SignMessageAsync(new SignMessageRequest
        {
            RequestId = Id(), WalletId = wallet.WalletId, Chain = "eth", PersonalMessage = ByteString.CopyFrom(message), Signer = new V1.Signer { Index = 2 },
        }, Signer);

        var digest = EvmMessages.PersonalMessageDigest(message);
        Assert.Equal("0x" + Convert.ToHexStringLower(digest), reply.Digest);
        Assert.Equal(address.Address, reply.SignerAddress);
        // Independently: recover from r ‖ s ‖ v with libsecp256k1.
        var signature = Convert.FromHexString(reply.Signature[2..]);
        Assert.Equal(65, signature.Length);
        Assert.Equal(address.Address, EvmAddress.FromPublicKey(Secp256k1.Recover(digest, signature.AsSpan(0, 64), signature[64] - 27, compressed: false)));
        Assert.Equal("raw-signing", reply.PolicyRule);
    }

    [Fact]
    public async Task Global_scope_needs_an_unscoped_token()
    {
        var scopedAdmin = daemon.NewToken("scoped-admin", Roles.Admin, WalletScope.Parse("w_000000000000000000000002"));
        var info = await Errors.RefusedAsync(StatusCode.PermissionDenied, "WALLET_NOT_IN_SCOPE",
            () => daemon.Policy.FreezeAsync(new FreezeRequest { Reason = "x" }, DaemonFixture.Bearer(scopedAdmin)));
        Assert.Equal("(global)", info.Metadata["wallet_id"]);
    }
}
