using Custody.Core.Ledger;
using Custody.Core.Policy;
using Custody.Core.WebAuthn;
using Custody.Storage.Data;
using Custody.Storage.Engine;
using Custody.Storage.Policy;

namespace Custody.Storage.Signing;

/// <summary>
/// One judgement, read top to bottom: the request's parked state, the policy in force now (a
/// request parked for approvals is judged by the policy in force when it is signed, not the one
/// that parked it, so a later deny wins over an earlier approval), the freeze, the conflict groups
/// its replay keys lead to, velocity used (without the group it would join), the verified
/// approvals; then the pure evaluator. The same code judges a read-only snapshot before signing and
/// re-judges inside the commit, under the ledger's lock, after it.
/// </summary>
internal sealed class Judge(PolicyVersions versions, LedgerEngine engine, RelyingParty? passkeys)
{
    public Judgement Run(Sql sql, SigningRequest request, DateTimeOffset now, bool persist)
    {
        var digest = RequestDigest.Compute(request);
        var pending = Pending.Find(sql, digest);
        var policy = versions.InForce(sql, request.WalletId);
        if (pending is not null && pending.IntentDigest != RequestDigest.Intent(request))
            return new Judgement(new PolicyDecision(PolicyOutcome.Failed, PolicyRules.Approvals,
                "the transaction differs from the one parked for approval under this request", pending.PolicyVersion), digest, pending, policy, []);

        var group = request.Intent is { } intent ? Reservations.Groups(sql, request.WalletId, request.Chain.Id, intent.ReplayKeys) : [];
        var snapshot = new PolicySnapshot(
            Freezes.InForce(sql, request.WalletId),
            Velocity.Usage(sql, engine, request.WalletId, PolicyEvaluator.VelocityKeys(policy, request), now, [.. group.Select(m => m.Id)], persist),
            [.. group.Select(m => new PriorSigning(m.Group, m.PayloadDigest, m.Intent))],
            pending is null ? null : Pending.Tally(sql, pending, policy, passkeys));
        return new Judgement(PolicyEvaluator.Evaluate(policy, request, snapshot, now), digest, pending, policy, group);
    }
}

internal sealed record Judgement(PolicyDecision Decision, string RequestDigest, PendingApproval? Pending, VersionedPolicy? Policy, IReadOnlyList<GroupMember> Group);
