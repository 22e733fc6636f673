using System.Security.Cryptography;
using System.Text;
using Custody.Core.Ledger;
using Custody.V1;
using Google.Protobuf;
using Grpc.Core;

using WalletKind = Custody.V1.WalletKind;

namespace Custody.Daemon.Tests;

/// <summary>
/// Approvers with passkeys, end to end on the shared daemon (RP ID localhost, origin
/// <see cref="DaemonFixture.PasskeyOrigin"/>): registration is an audited admin change; an approval
/// is a WebAuthn assertion over SHA-256 of the statement; assertions for another request, another
/// verdict, from another origin, without user verification, replayed or with an old counter are
/// refused; two good ones release the parked request. Assertions come from a software authenticator
/// (TestKit/SoftwarePasskey) here; the console's browser tests make them with Chromium's.
/// </summary>
[Collection(DaemonCollection.Name)]
public class PasskeyApprovalTests(DaemonFixture daemon)
{
    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);

    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    [Fact]
    public async Task Two_passkey_approvals_release_a_parked_request_and_every_misuse_is_refused()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string alice = "alice-pk-" + suffix, bob = "bob-pk-" + suffix;
        using var alicePasskey = new SoftwarePasskey("localhost", daemon.PasskeyOrigin);
        using var bobPasskey = new SoftwarePasskey("localhost", daemon.PasskeyOrigin);

        // Registration: an admin change over HTTP/JSON as well as gRPC, audited with the credential id.
        var http = HttpJson.ForPort(daemon.HttpPort);
        await http.CallAsync<RegisterApproverResponse>(PolicyService.Descriptor.FindMethodByName("RegisterApprover"), new RegisterApproverRequest
        {
            ApproverId = alice, Algorithm = ApproverKeyAlgorithm.PasskeyEs256,
            PublicKey = ByteString.CopyFrom(alicePasskey.PublicKeySpki), CredentialId = ByteString.CopyFrom(alicePasskey.CredentialId),
        }, daemon.AdminToken);
        await daemon.Policy.RegisterApproverAsync(new RegisterApproverRequest
        {
            ApproverId = bob, Algorithm = ApproverKeyAlgorithm.PasskeyEs256,
            PublicKey = ByteString.CopyFrom(bobPasskey.PublicKeySpki), CredentialId = ByteString.CopyFrom(bobPasskey.CredentialId),
        }, Admin);
        var missingId = await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => daemon.Policy.RegisterApproverAsync(
            new RegisterApproverRequest { ApproverId = bob, Algorithm = ApproverKeyAlgorithm.PasskeyEs256, PublicKey = ByteString.CopyFrom(bobPasskey.PublicKeySpki) }, Admin));
        Assert.Equal("credential_id", missingId.Metadata["field"]);
        await Errors.RefusedAsync(StatusCode.PermissionDenied, "ROLE_REQUIRED", () => daemon.Policy.RegisterApproverAsync(new RegisterApproverRequest
        {
            ApproverId = bob, Algorithm = ApproverKeyAlgorithm.PasskeyEs256,
            PublicKey = ByteString.CopyFrom(bobPasskey.PublicKeySpki), CredentialId = ByteString.CopyFrom(bobPasskey.CredentialId),
        }, Signer));
        var registered = (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { Action = "approver.registered", Limit = 1000 }, Admin)).Records
            .Single(r => r.Action == "approver.registered" && r.Details["approver"] == alice);
        Assert.Equal("PasskeyEs256", registered.Details["algorithm"]);
        Assert.Equal(Convert.ToBase64String(alicePasskey.CredentialId).TrimEnd('=').Replace('+', '-').Replace('/', '_'), registered.Details["credential_id"]);

        var walletId = await daemon.TwoApprovalWalletAsync("passkeys", alice, bob);
        var request = new SignTransactionRequest { RequestId = "req-" + Guid.NewGuid().ToString("N"), WalletId = walletId, Chain = "eth", Payload = EvmPayloads.Eip1559(1) };
        var other = new SignTransactionRequest { RequestId = "req-" + Guid.NewGuid().ToString("N"), WalletId = walletId, Chain = "eth", Payload = EvmPayloads.Eip1559(2) };
        var parked = await daemon.ParkAsync(request);
        var otherParked = await daemon.ParkAsync(other);

        var aliceToken = DaemonFixture.Bearer(daemon.NewToken(alice, Roles.Approver, WalletScope.All));
        var bobToken = DaemonFixture.Bearer(daemon.NewToken(bob, Roles.Approver, WalletScope.All));
        byte[] Challenge(string statement) => SHA256.HashData(Encoding.ASCII.GetBytes(statement));
        SubmitVerdictRequest Verdict(ParkedRequest to, (byte[] AuthenticatorData, byte[] ClientDataJson, byte[] Signature) assertion) => new()
        {
            RequestDigest = to.RequestDigest,
            Passkey = new PasskeyAssertion
            {
                AuthenticatorData = ByteString.CopyFrom(assertion.AuthenticatorData),
                ClientDataJson = ByteString.CopyFrom(assertion.ClientDataJson),
                Signature = ByteString.CopyFrom(assertion.Signature),
            },
        };
        async Task Refused(string reason, SubmitVerdictRequest verdict)
        {
            var answer = await daemon.Signing.ApproveRequestAsync(verdict, aliceToken);
            Assert.Equal("Refused", answer.Outcome);
            Assert.StartsWith(reason, answer.Reason, StringComparison.Ordinal);
        }

        // An assertion for the other request, or for this request's reject statement, does not approve this one.
        await Refused("the assertion's challenge is not this statement's SHA-256", Verdict(parked, alicePasskey.Assert(Challenge(otherParked.ApproveStatement))));
        await Refused("the assertion's challenge is not this statement's SHA-256", Verdict(parked, alicePasskey.Assert(Challenge(parked.RejectStatement))));
        await Refused("origin 'https://evil.example' is not one of the configured passkey origins",
            Verdict(parked, alicePasskey.Assert(Challenge(parked.ApproveStatement), origin: "https://evil.example")));
        await Refused("the authenticator did not verify the user (UV flag)", Verdict(parked, alicePasskey.Assert(Challenge(parked.ApproveStatement), userVerified: false)));
        await Refused("the credential is scoped to another RP ID than 'localhost'",
            Verdict(parked, alicePasskey.Assert(Challenge(parked.ApproveStatement), rpId: "evil.example")));
        var raw = new SubmitVerdictRequest { RequestDigest = parked.RequestDigest, Signature = ByteString.CopyFrom(new byte[64]) };
        await Refused($"'{alice}' has a registered passkey: submit its WebAuthn assertion", raw);

        // Malformed parts are INVALID_ARGUMENT naming the part, and nothing is recorded.
        var good = alicePasskey.Assert(Challenge(parked.ApproveStatement));
        var truncated = Verdict(parked, good);
        truncated.Passkey.AuthenticatorData = ByteString.CopyFrom(good.AuthenticatorData[..36]);
        Assert.Equal("passkey.authenticator_data",
            (await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => daemon.Signing.ApproveRequestAsync(truncated, aliceToken))).Metadata["field"]);
        var notJson = Verdict(parked, good);
        notJson.Passkey.ClientDataJson = ByteString.CopyFromUtf8("{\"type\":");
        Assert.Equal("passkey.client_data_json",
            (await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => daemon.Signing.ApproveRequestAsync(notJson, aliceToken))).Metadata["field"]);

        // The good assertion counts once; sent again (same counter) or with an older counter, it is refused.
        var first = await daemon.Signing.ApproveRequestAsync(Verdict(parked, good), aliceToken);
        Assert.Equal("Recorded", first.Outcome);
        Assert.Equal(1u, first.Approvals);
        await Refused($"the passkey's signature counter did not advance ({alicePasskey.SignCount} after {alicePasskey.SignCount})", Verdict(parked, good));
        var old = alicePasskey.Assert(Challenge(otherParked.ApproveStatement), signCount: alicePasskey.SignCount - 1);
        var oldAnswer = await daemon.Signing.ApproveRequestAsync(Verdict(otherParked, old), aliceToken);
        Assert.Equal("Refused", oldAnswer.Outcome);
        Assert.StartsWith("the passkey's signature counter did not advance", oldAnswer.Reason, StringComparison.Ordinal);
        await Errors.RefusedAsync(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED", () => daemon.Signing.SignTransactionAsync(request, Signer));

        // Bob's approval over HTTP/JSON reaches the quorum; the same SignTransaction is then signed.
        var (second, _) = await http.CallAsync<SubmitVerdictResponse>(SigningService.Descriptor.FindMethodByName("ApproveRequest"),
            Verdict(parked, bobPasskey.Assert(Challenge(parked.ApproveStatement))), bobToken.GetValue("authorization")!["Bearer ".Length..]);
        Assert.True(second.QuorumReached, second.Reason);
        var reply = await daemon.Signing.SignTransactionAsync(request, Signer);
        Assert.Equal("approvals", reply.PolicyRule);
        var recorded = (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = walletId, Limit = 100 }, Admin)).Records
            .Where(r => r.Action == "approval.recorded").ToList();
        Assert.Equal([alice, bob], recorded.Select(r => r.Details["approver"]));
        Assert.Equal(alicePasskey.SignCount.ToString(), recorded[0].Details["sign_count"]);
    }
}
