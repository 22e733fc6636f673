using Custody.Core;
using Custody.Core.Policy;
using static Custody.Storage.Tests.Policy.PolicyStoreFixture;

namespace Custody.Storage.Tests.Policy;

public class AdministrationTests
{
    private static readonly string Friend = Evm(0x11);

    [Fact]
    public async Task Publishing_needs_the_admin_role_and_is_audited_with_the_diff()
    {
        await using var fixture = await CreateAsync();
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            fixture.Administration.PublishAsync(PolicyScope.Wallet("w1"), PolicyText(), "ops", Operator, default));

        var first = await fixture.Administration.PublishAsync(PolicyScope.Wallet("w1"), PolicyText(), "root", Admin, default);
        Assert.True(first.Changed);
        var second = await fixture.Administration.PublishAsync(PolicyScope.Wallet("w1"),
            PolicyText().Replace("\"maxAmount\": \"1000\"", "\"maxAmount\": \"2000\"", StringComparison.Ordinal), "root", Admin, default);
        Assert.True(second.Version > first.Version);
        Assert.Matches("^- +\"maxAmount\": \"1000\"\n\\+ +\"maxAmount\": \"2000\"\n$", second.Diff);

        var audit = fixture.Audit.Events.Where(e => e.Action == PolicyAuditActions.PolicyPublished).ToArray();
        Assert.Equal(2, audit.Length);
        Assert.Equal(("root", "wallet:w1"), (audit[1].Principal, audit[1].Subject));
        Assert.Contains(second.Diff, audit[1].Detail, StringComparison.Ordinal);

        // the same document (in another layout) is no new version and no audit record
        var same = await fixture.Administration.PublishAsync(PolicyScope.Wallet("w1"), second.CanonicalDocument.Replace("\n", " ", StringComparison.Ordinal), "root", Admin, default);
        Assert.Equal((second.Version, false), (same.Version, same.Changed));
        Assert.Equal(2, fixture.Audit.Events.Count(e => e.Action == PolicyAuditActions.PolicyPublished));
        Assert.Equal(second.Version, (await fixture.Administration.GetAsync(PolicyScope.Wallet("w1"), default))!.Value.Version);
    }

    [Fact]
    public async Task Invalid_document_is_refused_with_its_line()
    {
        await using var fixture = await CreateAsync();
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => fixture.Administration.PublishAsync(PolicyScope.Global,
            "{\n  \"schema\": \"custody-policy/v1\",\n  \"principals\": [\"svc\"],\n  \"chains\": { \"eth\": { \"maxFee\": \"ten\" } }\n}", "root", Admin, default));
        Assert.StartsWith("line 4: chains.eth.maxFee", e.Reason, StringComparison.Ordinal);
        Assert.Null(await fixture.Administration.GetAsync(PolicyScope.Global, default));
    }

    [Fact]
    public async Task A_request_is_judged_by_the_version_in_force_when_it_arrived()
    {
        await using var fixture = await CreateAsync(PolicyText());
        var arrived = fixture.Request(Eth(Friend, 900, 1), "early");
        fixture.Clock.Advance(TimeSpan.FromSeconds(10));
        var stricter = await fixture.Administration.PublishAsync(PolicyScope.Wallet("w1"),
            PolicyText().Replace("\"maxAmount\": \"1000\"", "\"maxAmount\": \"500\"", StringComparison.Ordinal), "root", Admin, default);

        var early = await fixture.Gate.AdmitAsync(arrived, default);
        Assert.True(early.IsAllowed);
        Assert.Equal(stricter.Version - 1, early.PolicyVersion);
        var late = await fixture.Gate.DryRunAsync(fixture.Request(Eth(Friend, 90, 2), "late"), default);
        Assert.Equal((PolicyRules.Velocity, stricter.Version), (late.Rule, late.PolicyVersion));
    }

    [Fact]
    public async Task A_wallet_policy_overrides_the_global_default_and_no_policy_denies()
    {
        await using var fixture = await CreateAsync();
        Assert.Equal(PolicyRules.NoPolicy, (await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1, 1), "a"), default)).Rule);

        await fixture.Administration.PublishAsync(PolicyScope.Global, PolicyText().Replace("[\"svc\"]", "[\"svc\", \"batch\"]", StringComparison.Ordinal), "root", Admin, default);
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1, 2), "b", principal: "batch"), default)).IsAllowed);

        await fixture.Administration.PublishAsync(PolicyScope.Wallet("w1"), PolicyText(), "root", Admin, default);
        Assert.Equal(PolicyRules.Principal, (await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1, 3), "c", principal: "batch"), default)).Rule);
        // another wallet still falls back to the global default
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1, 3), "d", principal: "batch", wallet: "w9"), default)).IsAllowed);
    }

    [Fact]
    public async Task Freeze_is_effective_at_once_on_every_engine_and_unfreeze_needs_admin()
    {
        await using var fixture = await CreateAsync(PolicyText());
        await fixture.Administration.PublishAsync(PolicyScope.Wallet("w2"), PolicyText(), "root", Admin, default);
        var otherEngine = fixture.SecondGate();

        await fixture.Administration.FreezeAsync(PolicyScope.Wallet("w1"), "ops", "key ceremony in progress", default);
        var frozen = await otherEngine.AdmitAsync(fixture.Request(Eth(Friend, 1, 1), "a"), default);
        Assert.Equal(PolicyOutcome.Frozen, frozen.Outcome);
        Assert.Equal(PolicyOutcome.Frozen, (await otherEngine.DryRunAsync(fixture.Request(Eth(Friend, 1, 1), "a"), default)).Outcome);
        Assert.True((await otherEngine.AdmitAsync(fixture.Request(Eth(Friend, 1, 1), "b", wallet: "w2"), default)).IsAllowed);

        await fixture.Administration.FreezeAsync(PolicyScope.Global, "ops", "incident 42", default);
        var all = await otherEngine.AdmitAsync(fixture.Request(Eth(Friend, 1, 2), "c", wallet: "w2"), default);
        Assert.Contains("incident 42", all.Reason, StringComparison.Ordinal);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => fixture.Administration.UnfreezeAsync(PolicyScope.Global, "ops", Operator, default));
        Assert.True(await fixture.Administration.UnfreezeAsync(PolicyScope.Global, "root", Admin, default));
        Assert.False(await fixture.Administration.UnfreezeAsync(PolicyScope.Global, "root", Admin, default));
        Assert.True((await otherEngine.AdmitAsync(fixture.Request(Eth(Friend, 1, 2), "c", wallet: "w2"), default)).IsAllowed);
        Assert.Equal(PolicyOutcome.Frozen, (await otherEngine.AdmitAsync(fixture.Request(Eth(Friend, 1, 3), "d"), default)).Outcome);
        Assert.NotNull(await fixture.Administration.GetFreezeAsync(PolicyScope.Wallet("w1"), default));

        Assert.Equal(
            [PolicyAuditActions.Frozen, PolicyAuditActions.Frozen, PolicyAuditActions.Unfrozen],
            fixture.Audit.Events.Where(e => e.Action.StartsWith("policy.", StringComparison.Ordinal) && e.Action != PolicyAuditActions.PolicyPublished).Select(e => e.Action));
        await Assert.ThrowsAsync<InvalidInputException>(() => fixture.Administration.FreezeAsync(PolicyScope.Global, "ops", " ", default));
    }

    [Fact]
    public async Task Approver_registration_is_admin_only_and_audited_by_fingerprint()
    {
        await using var fixture = await CreateAsync();
        var key = ApproverKey.Create("alice", ApproverKeyAlgorithm.Ed25519, Core.Crypto.Ed25519.GetPublicKey(new byte[32]));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => fixture.Administration.RegisterApproverAsync(key, "ops", Operator, default));
        await fixture.Administration.RegisterApproverAsync(key, "root", Admin, default);
        var audit = Assert.Single(fixture.Audit.Events);
        Assert.Equal((PolicyAuditActions.ApproverRegistered, "alice"), (audit.Action, audit.Subject));
        Assert.Contains(key.Fingerprint, audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Raw_signing_needs_explicit_enabling()
    {
        await using var fixture = await CreateAsync(PolicyText());
        var raw = await fixture.Gate.AdmitAsync(fixture.Request(null, "raw"), default);
        Assert.Equal((PolicyOutcome.Deny, PolicyRules.RawSigning), (raw.Outcome, raw.Rule));
        await fixture.Administration.PublishAsync(PolicyScope.Wallet("w1"),
            PolicyText().Replace("\"eth\": { \"allowReplacement\"", "\"eth\": { \"rawSigning\": true, \"allowReplacement\"", StringComparison.Ordinal), "root", Admin, default);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(null, "raw2"), default)).IsAllowed);
    }
}
