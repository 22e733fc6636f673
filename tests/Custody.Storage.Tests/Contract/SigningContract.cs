using Custody.Core.Audit;
using Custody.Core.Chains;
using Custody.Core.Ledger;
using Custody.Core.Policy;
using static Custody.Storage.Tests.Contract.LedgerKit;

namespace Custody.Storage.Tests.Contract;

/// <summary>The signing path's two touches of the store: a judgement that writes nothing, and one commit per request.</summary>
public abstract class SigningContract(Func<bool, LedgerStore> stores) : LedgerContract(stores)
{
    private static readonly string Friend = Evm(0x11);
    private static readonly string Other = Evm(0x12);

    [Fact]
    public async Task Judging_on_a_snapshot_writes_nothing()
    {
        var (store, ledger, _) = await OpenAsync();
        await using var _ledger = ledger;
        var before = Counts(store);
        var decision = await ledger.Signing.JudgeAsync(Request(Eth(Friend, 5, 1), "r1"), default);
        Assert.True(decision.IsAllowed, decision.Reason);
        Assert.Equal(before, Counts(store));
    }

    [Fact]
    public async Task An_allowed_commit_reserves_records_once_and_stores_the_reply_under_the_request_id()
    {
        var (store, ledger, _) = await OpenAsync();
        await using var _ledger = ledger;
        var request = Request(Eth(Friend, 5, 1), "r1");
        var signed = await ledger.Signing.CommitAsync(Signed(request));
        Assert.Equal(SigningOutcomeKind.Signed, signed.Kind);
        Assert.Equal(PolicyOutcome.Allow, signed.Decision!.Outcome);
        var record = (await ledger.Audit.GetAsync(signed.Receipt!.Sequence, default))!;
        Assert.Equal((AuditActions.SignTransaction, PolicyOutcome.Allow, PolicyRules.Allowed), (record.Action, record.Decision, record.Rule));
        Assert.False(record.ResultDigest.IsEmpty);
        Assert.Equal("tx-r1", record.TxId);
        var stored = (await ledger.Signing.FindReplyAsync("svc", "r1", default))!;
        Assert.Equal(signed.Reply, stored.Reply);
        Assert.Equal(signed.Receipt.Sequence, stored.Sequence);
        Assert.Equal(1L, store.Scalar<long>("SELECT count(*) FROM reservations"));
        Assert.Equal(1L, store.Scalar<long>("SELECT count(*) FROM audit_records WHERE action = @a", ("@a", AuditActions.SignTransaction)));

        // The same id and request again: the stored reply, nothing new written.
        var again = await ledger.Signing.CommitAsync(Signed(request));
        Assert.Equal(SigningOutcomeKind.Replayed, again.Kind);
        Assert.Equal(signed.Reply, again.Reply);
        // The same id with another request: refused.
        var reused = await ledger.Signing.CommitAsync(Signed(Request(Eth(Other, 5, 2), "r1")));
        Assert.Equal(SigningOutcomeKind.RequestIdReused, reused.Kind);
        Assert.Null(reused.Reply);
        Assert.Equal(1L, store.Scalar<long>("SELECT count(*) FROM reservations"));
        Assert.Equal(1L, store.Scalar<long>("SELECT count(*) FROM audit_records WHERE action = @a", ("@a", AuditActions.SignTransaction)));
        // Another principal's id space is its own.
        Assert.Null(await ledger.Signing.FindReplyAsync("other", "r1", default));
    }

    [Fact]
    public async Task A_refusal_is_one_record_and_no_reply()
    {
        var (store, ledger, _) = await OpenAsync();
        await using var _ledger = ledger;
        var request = Request(Eth(Friend, 1001, 1), "big");
        var judged = await ledger.Signing.JudgeAsync(request, default);
        Assert.Equal(PolicyRules.Velocity, judged.Rule);
        var refused = await ledger.Signing.CommitAsync(Refused(request, judged));
        Assert.Equal(SigningOutcomeKind.Refused, refused.Kind);
        Assert.Null(await ledger.Signing.FindReplyAsync("svc", "big", default));
        var record = (await ledger.Audit.GetAsync(refused.Receipt!.Sequence, default))!;
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.Velocity), (record.Decision, record.Rule));
        Assert.Equal(0L, store.Scalar<long>("SELECT count(*) FROM reservations"));
        Assert.Equal(0L, store.Scalar<long>("SELECT count(*) FROM replies"));

        // A signature whose re-judgement refuses (the policy tightened after the snapshot) is dropped the same way.
        var late = await ledger.Signing.CommitAsync(Signed(request));
        Assert.Equal((SigningOutcomeKind.Refused, PolicyRules.Velocity), (late.Kind, late.Decision!.Rule));
        Assert.Null(late.Reply);
        Assert.Equal(0L, store.Scalar<long>("SELECT count(*) FROM replies"));
    }

    [Fact]
    public async Task A_freeze_set_by_one_change_stops_every_later_commit_until_lifted()
    {
        var (store, ledger, _) = await OpenAsync();
        await using var _ledger = ledger;
        await using var other = store.Open(Options());
        await other.Policy.FreezeAsync(PolicyScope.Global, "ops", "incident 42", default);
        Assert.Equal(new PolicyCounts(0, 0, true), await ledger.Policy.CountAsync(default));
        var frozen = await ledger.Signing.CommitAsync(Signed(Request(Eth(Friend, 5, 1), "r1")));
        Assert.Equal((SigningOutcomeKind.Refused, PolicyOutcome.Frozen), (frozen.Kind, frozen.Decision!.Outcome));
        Assert.True(await other.Policy.UnfreezeAsync(PolicyScope.Global, "ops", default));
        Assert.False(await other.Policy.UnfreezeAsync(PolicyScope.Global, "ops", default));
        await other.Policy.FreezeAsync(PolicyScope.Wallet("w1"), "ops", "wallet incident", default);
        Assert.Equal(new PolicyCounts(0, 1, false), await ledger.Policy.CountAsync(default));
        Assert.Equal(PolicyOutcome.Frozen, (await ledger.Signing.CommitAsync(Signed(Request(Eth(Friend, 5, 2), "r2")))).Decision!.Outcome);
        Assert.Equal(PolicyOutcome.Frozen, (await ledger.Signing.JudgeAsync(Request(Eth(Friend, 5, 3), "r3"), default)).Outcome);
    }

    [Fact]
    public async Task Approvals_count_only_as_the_rules_say_and_release_the_parked_request()
    {
        var (store, ledger, clock) = await OpenAsync(ApprovalPolicy);
        await using var _ledger = ledger;
        foreach (var id in new[] { "alice", "bob", "carol", "dave", "svc" }) await ledger.Policy.RegisterApproverAsync(Approver(id).Key, "admin", default);

        var request = Request(Eth(Friend, 500, 1), "big");
        var needs = await ledger.Signing.JudgeAsync(request, default);
        Assert.Equal(PolicyOutcome.NeedsApproval, needs.Outcome);
        var parked = (await ledger.Signing.CommitAsync(Refused(request, needs))).Parked!;
        Assert.Equal(SigningOutcomeKind.Refused, (await ledger.Signing.CommitAsync(Refused(request, needs))).Kind);
        Assert.Equal(1L, store.Scalar<long>("SELECT count(*) FROM policy_pending")); // parked once
        Assert.Single(await ledger.Policy.ListPendingAsync("w1", 10, default));
        Assert.Equal(new PolicyCounts(1, 0, false), await ledger.Policy.CountAsync(default));
        var digest = parked.RequestDigest;

        async Task<ApprovalSubmission> Submit(string approver, ApprovalVerdict verdict = ApprovalVerdict.Approve, string? principal = null, byte[]? signature = null) =>
            await ledger.Policy.SubmitVerdictAsync(digest, approver, verdict, ApprovalProof.RawSignature(signature ?? Sign(approver, parked, verdict)), principal ?? approver, default);

        Assert.Equal(ApprovalSubmissionOutcome.Refused, (await Submit("alice", signature: Sign("bob", parked, ApprovalVerdict.Approve))).Outcome);
        Assert.Contains("does not verify", (await Submit("alice", signature: Sign("alice", parked, ApprovalVerdict.Reject))).Reason, StringComparison.Ordinal);
        Assert.Contains("not an approver", (await Submit("dave")).Reason, StringComparison.Ordinal);
        Assert.Contains("requester", (await Submit("svc")).Reason, StringComparison.Ordinal);
        Assert.Contains("own verdict", (await Submit("alice", principal: "bob")).Reason, StringComparison.Ordinal);
        var first = await Submit("alice");
        Assert.Equal((ApprovalSubmissionOutcome.Recorded, 1), (first.Outcome, first.Approvals));
        var duplicate = await Submit("alice");
        Assert.Equal((ApprovalSubmissionOutcome.Duplicate, 1), (duplicate.Outcome, duplicate.Approvals));
        Assert.Equal(PolicyOutcome.NeedsApproval, (await ledger.Signing.CommitAsync(Signed(request))).Decision!.Outcome);
        var quorum = await Submit("bob");
        Assert.True(quorum.QuorumReached);

        var signed = await ledger.Signing.CommitAsync(Signed(request));
        Assert.Equal((SigningOutcomeKind.Signed, PolicyRules.Approvals), (signed.Kind, signed.Decision!.Rule));
        Assert.Equal(PendingState.Released, (await ledger.Policy.GetPendingAsync(digest, default))!.State);
        Assert.Empty(await ledger.Policy.ListPendingAsync(null, 10, default));
        Assert.Equal(0, (await ledger.Policy.CountAsync(default)).ParkedWaiting);
        Assert.Contains("already released", (await Submit("carol")).Reason, StringComparison.Ordinal);
        Assert.Equal(2, (await ledger.Audit.QueryAsync(new AuditQuery { Action = AuditActions.ApprovalRecorded }, default)).Count);

        // A rejection ends a request.
        var second = Request(Eth(Friend, 500, 2), "big-2");
        var secondParked = (await ledger.Signing.CommitAsync(Refused(second, await ledger.Signing.JudgeAsync(second, default)))).Parked!;
        Assert.Equal(ApprovalSubmissionOutcome.Recorded, (await ledger.Policy.SubmitVerdictAsync(secondParked.RequestDigest, "carol", ApprovalVerdict.Reject,
            ApprovalProof.RawSignature(Sign("carol", secondParked, ApprovalVerdict.Reject)), "carol", default)).Outcome);
        await ledger.Policy.SubmitVerdictAsync(secondParked.RequestDigest, "alice", ApprovalVerdict.Approve, ApprovalProof.RawSignature(Sign("alice", secondParked, ApprovalVerdict.Approve)), "alice", default);
        var rejected = await ledger.Signing.CommitAsync(Signed(second));
        Assert.Equal((SigningOutcomeKind.Refused, PolicyOutcome.Deny), (rejected.Kind, rejected.Decision!.Outcome));
        Assert.Contains("rejected by", rejected.Decision.Reason, StringComparison.Ordinal);

        // Past the expiry nothing counts.
        var third = Request(Eth(Friend, 500, 3), "big-3");
        var thirdParked = (await ledger.Signing.CommitAsync(Refused(third, await ledger.Signing.JudgeAsync(third, default)))).Parked!;
        Assert.Equal(1, (await ledger.Policy.CountAsync(default)).ParkedWaiting);
        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(0, (await ledger.Policy.CountAsync(default)).ParkedWaiting); // expired: no longer waiting
        var late = await ledger.Policy.SubmitVerdictAsync(thirdParked.RequestDigest, "alice", ApprovalVerdict.Approve, ApprovalProof.RawSignature(Sign("alice", thirdParked, ApprovalVerdict.Approve)), "alice", default);
        Assert.Contains("window closed", late.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_parked_request_is_judged_by_the_policy_in_force_when_it_is_committed()
    {
        // Issue 15 item 9: approvals given under a lenient version do not outlive a stricter one.
        var (_, ledger, _) = await OpenAsync(ApprovalPolicy);
        await using var _ledger = ledger;
        foreach (var id in new[] { "alice", "bob" }) await ledger.Policy.RegisterApproverAsync(Approver(id).Key, "admin", default);
        var request = Request(Eth(Friend, 500, 1), "big");
        var parked = (await ledger.Signing.CommitAsync(Refused(request, await ledger.Signing.JudgeAsync(request, default)))).Parked!;
        foreach (var id in new[] { "alice", "bob" })
            Assert.Equal(ApprovalSubmissionOutcome.Recorded, (await ledger.Policy.SubmitVerdictAsync(parked.RequestDigest, id, ApprovalVerdict.Approve,
                ApprovalProof.RawSignature(Sign(id, parked, ApprovalVerdict.Approve)), id, default)).Outcome);
        await ledger.Policy.PublishAsync(PolicyScope.Wallet("w1"),
            PolicyText("""{ "maxPerTransaction": "100", "approvalAbove": "50" }""", approvers: "\"alice\", \"bob\""), "admin", "tighter", default);
        var committed = await ledger.Signing.CommitAsync(Signed(request));
        Assert.Equal((SigningOutcomeKind.Refused, PolicyRules.MaxPerTransaction), (committed.Kind, committed.Decision!.Rule));
    }

    [Fact]
    public async Task A_policy_published_by_a_process_whose_clock_runs_ahead_is_in_force_at_once_in_the_others()
    {
        // Two daemons, clocks 5 s apart: a stricter version stored through the one ahead must bind the other now.
        var store = NewStore();
        await using var behind = store.Open(Options(time: new ManualClock(Start)));
        await using var ahead = store.Open(Options(time: new ManualClock(Start + TimeSpan.FromSeconds(5))));
        await behind.Policy.PublishAsync(PolicyScope.Wallet("w1"), PolicyText(), "admin", null, default);
        await ahead.Policy.PublishAsync(PolicyScope.Wallet("w1"), PolicyText("""{ "maxPerTransaction": "1" }"""), "admin", "tighter", default);
        var request = Request(Eth(Friend, 5, 1), "r1");
        Assert.Equal(PolicyRules.MaxPerTransaction, (await behind.Signing.JudgeAsync(request, default)).Rule);
        var committed = await behind.Signing.CommitAsync(Signed(request));
        Assert.Equal((SigningOutcomeKind.Refused, PolicyRules.MaxPerTransaction), (committed.Kind, committed.Decision!.Rule));
    }

    [Fact]
    public async Task A_different_transaction_on_a_signed_nonce_is_refused_and_a_fee_bump_counts_once()
    {
        var (_, ledger, _) = await OpenAsync();
        await using var _ledger = ledger;
        Assert.Equal(SigningOutcomeKind.Signed, (await ledger.Signing.CommitAsync(Signed(Request(Eth(Friend, 600, 7), "a")))).Kind);
        var hijack = await ledger.Signing.CommitAsync(Signed(Request(Eth(Other, 600, 7, fee: 90_000), "b")));
        Assert.Equal(PolicyRules.Conflict, hijack.Decision!.Rule);
        // A fee bump paying the same replaces it: only one 600 counts against the 1000 an hour.
        Assert.Equal(SigningOutcomeKind.Signed, (await ledger.Signing.CommitAsync(Signed(Request(Eth(Friend, 600, 7, fee: 42_000), "bump")))).Kind);
        Assert.Equal(SigningOutcomeKind.Signed, (await ledger.Signing.CommitAsync(Signed(Request(Eth(Friend, 400, 8), "next")))).Kind);
        Assert.Equal(PolicyRules.Velocity, (await ledger.Signing.CommitAsync(Signed(Request(Eth(Friend, 1, 9), "over")))).Decision!.Rule);
    }

    [Fact]
    public async Task A_conflict_group_stays_one_group_and_counts_once()
    {
        // Issue 15 item 3: A spends O1; B spends O1+O2 and replaces A; C spends O2+O3: C replaces B
        // but shares nothing with A, so A and C could both confirm. C must be refused.
        var (_, ledger, _) = await OpenAsync(PolicyText(btcNative: """{ "velocity": [ { "window": "1h", "maxAmount": "100000" } ] }""", btcReplacement: true));
        await using var _ledger = ledger;
        IntentOutput[] pay = [new(Btc(0x21), "native", 60_000, false)];
        var a = await ledger.Signing.CommitAsync(Signed(Request(BtcSpend([Outpoint(1)], pay), "a", chain: "btc")));
        Assert.Equal(SigningOutcomeKind.Signed, a.Kind);
        var b = await ledger.Signing.CommitAsync(Signed(Request(BtcSpend([Outpoint(1), Outpoint(2)], pay, fee: 2_000), "b", chain: "btc")));
        Assert.True(b.Kind == SigningOutcomeKind.Signed, b.Decision?.Reason);
        var c = await ledger.Signing.CommitAsync(Signed(Request(BtcSpend([Outpoint(2), Outpoint(3)], pay, fee: 3_000), "c", chain: "btc")));
        Assert.Equal((SigningOutcomeKind.Refused, PolicyRules.Conflict), (c.Kind, c.Decision!.Rule));
        // A and B count once: 60,000 of 100,000 used, so 40,000 more fits and 40,001 does not.
        Assert.Equal(PolicyRules.Velocity, (await ledger.Signing.JudgeAsync(Request(BtcSpend([Outpoint(9)], [new(Btc(0x22), "native", 40_001, false)]), "d", chain: "btc"), default)).Rule);
        Assert.True((await ledger.Signing.JudgeAsync(Request(BtcSpend([Outpoint(9)], [new(Btc(0x22), "native", 40_000, false)]), "d", chain: "btc"), default)).IsAllowed);
    }

    [Fact]
    public async Task A_second_transaction_claiming_another_value_for_a_shared_outpoint_is_refused()
    {
        // Issue 15 item 4: two PSBTs for one input that each understate a different input's value.
        var (_, ledger, _) = await OpenAsync(PolicyText(btcReplacement: true));
        await using var _ledger = ledger;
        IntentOutput[] pay = [new(Btc(0x21), "native", 5_000, false)];
        Assert.Equal(SigningOutcomeKind.Signed, (await ledger.Signing.CommitAsync(Signed(Request(BtcSpend([Outpoint(1)], pay, claim: "10000:0014aa"), "a", chain: "btc")))).Kind);
        var other = await ledger.Signing.CommitAsync(Signed(Request(BtcSpend([Outpoint(1)], pay, claim: "90000:0014aa", fee: 2_000), "b", chain: "btc")));
        Assert.Equal((SigningOutcomeKind.Refused, PolicyRules.Conflict), (other.Kind, other.Decision!.Rule));
        Assert.Contains("claims", other.Decision.Reason, StringComparison.Ordinal);
    }

    private static readonly string ApprovalPolicy = PolicyText("""{ "approvalAbove": "100", "velocity": [ { "window": "1h", "maxAmount": "100000" } ] }""");

    private async Task<(LedgerStore Store, Ledger Ledger, ManualClock Clock)> OpenAsync(string? policy = null)
    {
        var store = NewStore();
        var clock = new ManualClock(Start);
        var ledger = store.Open(Options(time: clock));
        await ledger.Policy.PublishAsync(PolicyScope.Wallet("w1"), policy ?? PolicyText(), "admin", null, default);
        return (store, ledger, clock);
    }

    private static (long Records, long Reservations, long Replies, long Velocity, long Windows) Counts(LedgerStore store) => (
        store.Scalar<long>("SELECT count(*) FROM audit_records"), store.Scalar<long>("SELECT count(*) FROM reservations"),
        store.Scalar<long>("SELECT count(*) FROM replies"), store.Scalar<long>("SELECT count(*) FROM velocity"),
        store.Scalar<long>("SELECT count(*) FROM velocity_windows"));
}
