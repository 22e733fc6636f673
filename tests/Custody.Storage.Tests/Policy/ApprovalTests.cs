using System.Security.Cryptography;
using Custody.Core.Crypto;
using Custody.Core.Policy;
using Custody.Storage.Policy;
using static Custody.Storage.Tests.Policy.PolicyStoreFixture;

namespace Custody.Storage.Tests.Policy;

public sealed class ApprovalTests : IDisposable
{
    private static readonly string Friend = Evm(0x11);
    private static readonly string ApprovalPolicy = PolicyText("""{ "approvalAbove": "100", "velocity": [ { "window": "1h", "maxAmount": "1000" } ] }""");

    // alice and carol sign with Ed25519, bob with P-256 (as a phone or WebAuthn authenticator would).
    private readonly byte[] _aliceSeed = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private readonly byte[] _carolSeed = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();
    private readonly byte[] _svcSeed = Enumerable.Range(201, 32).Select(i => (byte)i).ToArray();
    private readonly ECDsa _bob = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose() => _bob.Dispose();

    private async Task<PolicyStoreFixture> SetUpAsync()
    {
        var fixture = await CreateAsync(ApprovalPolicy);
        await fixture.Administration.RegisterApproverAsync(ApproverKey.Create("alice", ApproverKeyAlgorithm.Ed25519, Ed25519.GetPublicKey(_aliceSeed)), "root", Admin, default);
        await fixture.Administration.RegisterApproverAsync(ApproverKey.Create("bob", ApproverKeyAlgorithm.P256, _bob.ExportSubjectPublicKeyInfo()), "root", Admin, default);
        await fixture.Administration.RegisterApproverAsync(ApproverKey.Create("carol", ApproverKeyAlgorithm.Ed25519, Ed25519.GetPublicKey(_carolSeed)), "root", Admin, default);
        await fixture.Administration.RegisterApproverAsync(ApproverKey.Create("svc", ApproverKeyAlgorithm.Ed25519, Ed25519.GetPublicKey(_svcSeed)), "root", Admin, default);
        return fixture;
    }

    private byte[] Sign(string approver, PendingApproval pending, ApprovalVerdict verdict = ApprovalVerdict.Approve)
    {
        var statement = pending.Statement(verdict).ToBytes();
        return approver switch
        {
            "alice" => Ed25519.Sign(_aliceSeed, statement),
            "carol" => Ed25519.Sign(_carolSeed, statement),
            "svc" => Ed25519.Sign(_svcSeed, statement),
            "bob" => _bob.SignData(statement, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => throw new ArgumentException(approver),
        };
    }

    private static async Task<(Core.Policy.SigningRequest Request, PendingApproval Pending)> ParkAsync(PolicyStoreFixture fixture, long amount = 500, long nonce = 1)
    {
        var request = fixture.Request(Eth(Friend, amount, nonce), $"big-{nonce}");
        var decision = await fixture.Gate.AdmitAsync(request, default);
        Assert.Equal((PolicyOutcome.NeedsApproval, 2), (decision.Outcome, decision.ApprovalsRequired));
        var pending = await fixture.Approvals.GetAsync(RequestDigest.Compute(request), default);
        Assert.NotNull(pending);
        Assert.Equal(IntentJson.Write(request.Intent!), IntentJson.Write(pending.Intent!));
        return (request, pending);
    }

    private async Task<ApprovalSubmission> SubmitAsync(PolicyStoreFixture fixture, PendingApproval pending, string approver,
        ApprovalVerdict verdict = ApprovalVerdict.Approve) =>
        await fixture.Approvals.SubmitAsync(pending.RequestDigest, approver, verdict, Sign(approver, pending, verdict), default);

    [Fact]
    public async Task Quorum_of_two_distinct_approvers_releases_the_request_once()
    {
        await using var fixture = await SetUpAsync();
        var (request, pending) = await ParkAsync(fixture);
        Assert.Equal(PolicyAuditActions.ApprovalRequested, fixture.Audit.Events[^1].Action);

        // parking again (a client retry) neither duplicates nor admits
        Assert.Equal(PolicyOutcome.NeedsApproval, (await fixture.Gate.AdmitAsync(request, default)).Outcome);

        var first = await SubmitAsync(fixture, pending, "alice");
        Assert.Equal((ApprovalSubmissionOutcome.Recorded, 1, false), (first.Outcome, first.Approvals, first.QuorumReached));
        Assert.Equal(PolicyOutcome.NeedsApproval, (await fixture.Gate.ReadmitAsync(request, default)).Outcome);

        var second = await SubmitAsync(fixture, pending, "bob"); // P-256
        Assert.Equal((ApprovalSubmissionOutcome.Recorded, 2, true), (second.Outcome, second.Approvals, second.QuorumReached));
        var released = await fixture.Gate.ReadmitAsync(request, default);
        Assert.Equal((PolicyOutcome.Allow, PolicyRules.Approvals), (released.Outcome, released.Rule));
        Assert.Contains("alice, bob", released.Reason, StringComparison.Ordinal);
        Assert.Equal(PendingState.Released, (await fixture.Approvals.GetAsync(pending.RequestDigest, default))!.State);

        // the released request holds its velocity: 500 + 501 > 1000 (and 501 would need approvals anyway)
        Assert.Equal(PolicyRules.Velocity, (await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 501, 2), "more"), default)).Rule);
        // late votes change nothing
        Assert.Equal(ApprovalSubmissionOutcome.Refused, (await SubmitAsync(fixture, pending, "carol")).Outcome);
        Assert.Contains(fixture.Audit.Events, e => e.Action == PolicyAuditActions.ApprovalRecorded && e.Principal == "bob");
    }

    [Fact]
    public async Task Waiting_list_shows_only_open_requests()
    {
        await using var fixture = await SetUpAsync();
        var (_, first) = await ParkAsync(fixture, nonce: 1);
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var (_, second) = await ParkAsync(fixture, nonce: 2);
        Assert.Equal([first.RequestDigest, second.RequestDigest], (await fixture.Approvals.ListWaitingAsync("w1", 10, default)).Select(p => p.RequestDigest));
        Assert.Empty(await fixture.Approvals.ListWaitingAsync("w2", 10, default));
        await SubmitAsync(fixture, first, "alice", ApprovalVerdict.Reject);
        Assert.Equal([second.RequestDigest], (await fixture.Approvals.ListWaitingAsync(null, 10, default)).Select(p => p.RequestDigest));
        fixture.Clock.Advance(TimeSpan.FromHours(1)); // exactly at its expiry it is still open …
        Assert.Single(await fixture.Approvals.ListWaitingAsync(null, 10, default));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1)); // … one second later it is not
        Assert.Empty(await fixture.Approvals.ListWaitingAsync(null, 10, default));
    }

    [Fact]
    public async Task Duplicate_approver_counts_once()
    {
        await using var fixture = await SetUpAsync();
        var (request, pending) = await ParkAsync(fixture);
        Assert.Equal(ApprovalSubmissionOutcome.Recorded, (await SubmitAsync(fixture, pending, "alice")).Outcome);
        var again = await SubmitAsync(fixture, pending, "alice");
        Assert.Equal((ApprovalSubmissionOutcome.Duplicate, 1), (again.Outcome, again.Approvals));
        Assert.Equal(PolicyOutcome.NeedsApproval, (await fixture.Gate.ReadmitAsync(request, default)).Outcome);
    }

    [Fact]
    public async Task One_key_registered_under_two_names_counts_once()
    {
        await using var fixture = await SetUpAsync();
        // carol's id now carries alice's key: one person, two identities
        await fixture.Administration.RegisterApproverAsync(ApproverKey.Create("carol", ApproverKeyAlgorithm.Ed25519, Ed25519.GetPublicKey(_aliceSeed)), "root", Admin, default);
        var (request, pending) = await ParkAsync(fixture);
        Assert.Equal(ApprovalSubmissionOutcome.Recorded, (await SubmitAsync(fixture, pending, "alice")).Outcome);
        var twin = await fixture.Approvals.SubmitAsync(pending.RequestDigest, "carol", ApprovalVerdict.Approve, Sign("alice", pending), default);
        Assert.Equal(ApprovalSubmissionOutcome.Refused, twin.Outcome);
        Assert.Equal(PolicyOutcome.NeedsApproval, (await fixture.Gate.ReadmitAsync(request, default)).Outcome);
    }

    [Fact]
    public async Task Requester_cannot_approve_its_own_request()
    {
        await using var fixture = await SetUpAsync();
        var (request, pending) = await ParkAsync(fixture);
        var own = await SubmitAsync(fixture, pending, "svc"); // svc is listed as an approver, but it asked
        Assert.Equal(ApprovalSubmissionOutcome.Refused, own.Outcome);
        Assert.Contains("requester", own.Reason, StringComparison.Ordinal);
        await SubmitAsync(fixture, pending, "alice");
        Assert.Equal(PolicyOutcome.NeedsApproval, (await fixture.Gate.ReadmitAsync(request, default)).Outcome);
    }

    [Fact]
    public async Task Bad_signatures_and_strangers_do_not_count()
    {
        await using var fixture = await SetUpAsync();
        var (_, pending) = await ParkAsync(fixture);
        var (_, otherPending) = await ParkAsync(fixture, nonce: 2);

        // bob signs with alice's name; alice's signature for another request; alice signing the reject statement as an approval
        Assert.Equal(ApprovalSubmissionOutcome.Refused, (await fixture.Approvals.SubmitAsync(pending.RequestDigest, "alice", ApprovalVerdict.Approve, Sign("bob", pending), default)).Outcome);
        Assert.Equal(ApprovalSubmissionOutcome.Refused, (await fixture.Approvals.SubmitAsync(pending.RequestDigest, "alice", ApprovalVerdict.Approve, Sign("alice", otherPending), default)).Outcome);
        Assert.Equal(ApprovalSubmissionOutcome.Refused, (await fixture.Approvals.SubmitAsync(pending.RequestDigest, "alice", ApprovalVerdict.Approve, Sign("alice", pending, ApprovalVerdict.Reject), default)).Outcome);
        Assert.Equal(ApprovalSubmissionOutcome.Refused, (await fixture.Approvals.SubmitAsync(pending.RequestDigest, "alice", ApprovalVerdict.Approve, new byte[64], default)).Outcome);

        // a registered key the policy does not name
        await fixture.Administration.RegisterApproverAsync(ApproverKey.Create("mallory", ApproverKeyAlgorithm.Ed25519, Ed25519.GetPublicKey(_carolSeed)), "root", Admin, default);
        var mallory = await fixture.Approvals.SubmitAsync(pending.RequestDigest, "mallory", ApprovalVerdict.Approve, Sign("carol", pending), default);
        Assert.Contains("not an approver", mallory.Reason, StringComparison.Ordinal);

        // an unknown request digest
        Assert.Equal(ApprovalSubmissionOutcome.Refused, (await fixture.Approvals.SubmitAsync(new string('0', 64), "alice", ApprovalVerdict.Approve, new byte[64], default)).Outcome);
    }

    [Fact]
    public async Task Revoked_key_stops_counting_even_for_given_approvals()
    {
        await using var fixture = await SetUpAsync();
        var (request, pending) = await ParkAsync(fixture);
        await SubmitAsync(fixture, pending, "alice");
        await SubmitAsync(fixture, pending, "bob");
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => fixture.Administration.RevokeApproverAsync("bob", "ops", Operator, default));
        Assert.True(await fixture.Administration.RevokeApproverAsync("bob", "root", Admin, default));
        Assert.Equal(PolicyOutcome.NeedsApproval, (await fixture.Gate.ReadmitAsync(request, default)).Outcome);
        Assert.Equal(ApprovalSubmissionOutcome.Recorded, (await SubmitAsync(fixture, pending, "carol")).Outcome);
        Assert.True((await fixture.Gate.ReadmitAsync(request, default)).IsAllowed);
    }

    [Fact]
    public async Task Expired_approvals_do_not_release()
    {
        await using var fixture = await SetUpAsync();
        var (request, pending) = await ParkAsync(fixture);
        await SubmitAsync(fixture, pending, "alice");
        fixture.Clock.Advance(TimeSpan.FromMinutes(61));
        var late = await SubmitAsync(fixture, pending, "bob");
        Assert.Equal(ApprovalSubmissionOutcome.Refused, late.Outcome);
        Assert.Contains("window closed", late.Reason, StringComparison.Ordinal);
        var decision = await fixture.Gate.ReadmitAsync(request, default);
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.Approvals), (decision.Outcome, decision.Rule));
    }

    [Fact]
    public async Task Approvals_collected_in_time_do_not_release_after_expiry()
    {
        await using var fixture = await SetUpAsync();
        var (request, pending) = await ParkAsync(fixture);
        await SubmitAsync(fixture, pending, "alice");
        await SubmitAsync(fixture, pending, "bob");
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(PolicyOutcome.Deny, (await fixture.Gate.ReadmitAsync(request, default)).Outcome);
    }

    [Fact]
    public async Task A_rejection_ends_the_request()
    {
        await using var fixture = await SetUpAsync();
        var (request, pending) = await ParkAsync(fixture);
        await SubmitAsync(fixture, pending, "alice");
        var rejected = await SubmitAsync(fixture, pending, "carol", ApprovalVerdict.Reject);
        Assert.Equal(ApprovalSubmissionOutcome.Recorded, rejected.Outcome);
        Assert.Equal(ApprovalSubmissionOutcome.Refused, (await SubmitAsync(fixture, pending, "bob")).Outcome);
        var decision = await fixture.Gate.ReadmitAsync(request, default);
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.Approvals), (decision.Outcome, decision.Rule));
        Assert.Contains("carol", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(PolicyOutcome.Deny, (await fixture.Gate.AdmitAsync(request, default)).Outcome);
    }

    [Fact]
    public async Task A_frozen_wallet_stops_an_in_flight_approval_until_an_admin_unfreezes()
    {
        await using var fixture = await SetUpAsync();
        var (request, pending) = await ParkAsync(fixture);
        await SubmitAsync(fixture, pending, "alice");
        await fixture.Administration.FreezeAsync(PolicyScope.Wallet("w1"), "ops", "suspicious withdrawals", default);
        await SubmitAsync(fixture, pending, "bob");

        var frozen = await fixture.Gate.ReadmitAsync(request, default);
        Assert.Equal((PolicyOutcome.Frozen, PolicyRules.Frozen), (frozen.Outcome, frozen.Rule));
        Assert.Contains("suspicious withdrawals", frozen.Reason, StringComparison.Ordinal);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => fixture.Administration.UnfreezeAsync(PolicyScope.Wallet("w1"), "ops", Operator, default));
        Assert.Equal(PolicyOutcome.Frozen, (await fixture.Gate.ReadmitAsync(request, default)).Outcome);
        Assert.True(await fixture.Administration.UnfreezeAsync(PolicyScope.Wallet("w1"), "root", Admin, default));
        Assert.True((await fixture.Gate.ReadmitAsync(request, default)).IsAllowed);
    }

    [Fact]
    public async Task Approvals_bind_the_transaction_not_just_the_request_id()
    {
        await using var fixture = await SetUpAsync();
        var (request, pending) = await ParkAsync(fixture);
        await SubmitAsync(fixture, pending, "alice");
        await SubmitAsync(fixture, pending, "bob");
        // the same request id and payload digest, but another decoded intent: refused
        var swapped = request with { Intent = Eth(Evm(0x66), 500, 1) };
        Assert.Equal(PolicyOutcome.Failed, (await fixture.Gate.ReadmitAsync(swapped, default)).Outcome);
        // readmitting something never parked
        Assert.Equal(PolicyOutcome.Failed, (await fixture.Gate.ReadmitAsync(fixture.Request(Eth(Friend, 500, 9), "never"), default)).Outcome);
    }

    [Fact]
    public async Task Parked_request_keeps_the_policy_version_it_was_judged_by()
    {
        await using var fixture = await SetUpAsync();
        var (request, pending) = await ParkAsync(fixture);
        // a stricter policy published while it waits: the parked request is still judged by its own version
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        await fixture.Administration.PublishAsync(PolicyScope.Wallet("w1"), ApprovalPolicy.Replace("\"maxAmount\": \"1000\"", "\"maxAmount\": \"10\"", StringComparison.Ordinal), "root", Admin, default);
        await SubmitAsync(fixture, pending, "alice");
        await SubmitAsync(fixture, pending, "bob");
        var decision = await fixture.Gate.ReadmitAsync(request, default);
        Assert.True(decision.IsAllowed, decision.Reason);
        Assert.Equal(pending.PolicyVersion, decision.PolicyVersion);
        // a new request is judged by the new version
        Assert.Equal(PolicyRules.Velocity, (await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 11, 5), "new"), default)).Rule);
    }
}
