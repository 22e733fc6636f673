using System.Globalization;
using System.Numerics;
using Custody.Core.Chains;

namespace Custody.Core.Policy;

/// <summary>
/// The policy as a pure function: (policy, request, snapshot, now) → decision with the rule
/// and a reason. Deny-overrides in one fixed order (docs/policy.md): freeze, principal,
/// chain, malformed intent, full previous transactions, asset, raw signing, notes, conflict, unresolved destination, deny-list, allow-list,
/// per-transaction maximum, fee, fee rate, contract call, time window, velocity, approvals.
/// The first rule that refuses decides. Every limit is inclusive: exactly the limit passes.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>No chain carries 2^256 base units of an asset in one transaction; such an intent is refused outright.</summary>
    public static readonly BigInteger AmountCeiling = BigInteger.One << 256;

    public static PolicyDecision Evaluate(VersionedPolicy? policy, SigningRequest request, PolicySnapshot snapshot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(snapshot);
        var judge = new Judge(policy?.Version ?? 0);

        if (snapshot.Freeze is { } freeze)
            return judge.Frozen($"{freeze.Scope} is frozen since {Time(freeze.FrozenAt)} by {freeze.FrozenBy}: {freeze.Reason}");
        if (policy is null)
            return judge.Deny(PolicyRules.NoPolicy, $"wallet '{request.WalletId}' has no policy and there is no global default");
        var document = policy.Document;
        if (!document.Principals.Contains(request.Principal))
            return judge.Deny(PolicyRules.Principal, $"principal '{request.Principal}' may not sign with wallet '{request.WalletId}'");

        var chain = request.Chain;
        var intent = request.Intent;
        if (intent is not null && intent.Chain.Id != chain.Id)
            return judge.Deny(PolicyRules.Chain, $"the transaction is for chain '{Clip(intent.Chain.Id)}' but the request is for {chain.Id}");
        if (!document.Chains.TryGetValue(chain.Id, out var rules))
            return judge.Deny(PolicyRules.Chain, $"chain {chain.Id} is not allowed for wallet '{request.WalletId}'");

        if (intent is null)
        {
            if (!rules.RawSigning)
                return judge.Deny(PolicyRules.RawSigning, $"raw signing (no decoded transaction) is off for {chain.Id}");
            if (IntentNotes.FirstUnlisted(request.MessageNotes, rules.AllowNotes) is { } messageNote)
                return judge.Deny(PolicyRules.Notes, $"the message has '{Clip(messageNote)}', which allowNotes for {chain.Id} does not list");
            return OutsideTimeWindows(document, now) is { } outside
                ? judge.Deny(PolicyRules.TimeWindow, outside)
                : judge.Allow(PolicyRules.RawSigning, $"raw signing is enabled for {chain.Id}");
        }

        // A decoder bug must not let a negative amount offset a positive one in the sums below.
        if (intent.Fee.Sign < 0 || intent.Outputs.Any(o => o.Amount.Sign < 0) || intent.Call?.Value.Sign < 0)
            return judge.Deny(PolicyRules.MalformedIntent, "the decoded transaction has a negative amount or fee");

        if (rules.RequireFullPrevTx && intent.WitnessUtxoOnlyInputs.Count > 0)
            return judge.Deny(PolicyRules.FullPrevTx,
                $"{Clip(intent.WitnessUtxoOnlyInputs[0])} spends a segwit v0 output but carries only witness_utxo; requireFullPrevTx " +
                $"(on by default for {chain.Family.Name}) needs its full previous transaction (non_witness_utxo) to prove the amount");

        var payments = Payments(chain, intent);
        foreach (var asset in intent.Outputs.Select(o => o.Asset).Concat(payments.Select(p => p.Asset)))
        {
            if (!PolicyAddresses.TryNormalizeAsset(chain, asset, out var canonical))
                return judge.Deny(PolicyRules.Asset, $"'{Clip(asset)}' is not an asset of {chain.Id}");
            if (!rules.Assets.ContainsKey(canonical))
                return judge.Deny(PolicyRules.Asset, $"asset {canonical} on {chain.Id} is not allowed");
        }

        if (IntentNotes.FirstUnlisted(intent.Notes, rules.AllowNotes) is { } note)
            return judge.Deny(PolicyRules.Notes, $"the transaction has '{Clip(note)}', which allowNotes for {chain.Id} does not list");

        if (Conflict(rules, chain, intent, request, snapshot.Prior) is { } conflict)
            return judge.Deny(PolicyRules.Conflict, conflict);

        foreach (var payment in payments.Where(p => p.Destination is null && !rules.AllowUnresolvedDestinations))
            return judge.Deny(PolicyRules.UnresolvedDestination,
                $"{payment.Label} pays {Amount(payment)} to a destination that cannot be resolved and checked");

        foreach (var address in Addresses(chain, intent, payments))
            if (rules.DenyList.Contains(address.Text))
                return judge.Deny(PolicyRules.DenyList, $"{address.Label} {address.Text} is on the deny-list");

        // An allow-list names every destination it passes: one that cannot be named is not on it,
        // whatever allowUnresolvedDestinations says.
        if (rules.AllowList is { } allowList)
            foreach (var payment in payments.Where(p => p.Destination is null || !allowList.Contains(p.Destination)))
                return judge.Deny(PolicyRules.AllowList, payment.Destination is null
                    ? $"{payment.Label} pays {Amount(payment)} to a destination that cannot be named, so it is not on the allow-list"
                    : $"{payment.Label} destination {payment.Destination} is not on the allow-list");

        var spending = Sum(payments);
        foreach (var (asset, amount) in spending)
            if (amount >= AmountCeiling)
                return judge.Deny(PolicyRules.MaxPerTransaction, $"sends {N(amount)} of {asset}, at least 2^256: more than any chain can carry");
            else if (rules.Assets[asset].MaxPerTransaction is { } max && amount > max)
                return judge.Deny(PolicyRules.MaxPerTransaction,
                    $"sends {N(amount)} of {asset}, more than the per-transaction maximum {N(max)}");

        if (rules.MaxFee is { } maxFee && intent.Fee > maxFee)
            return judge.Deny(PolicyRules.Fee, $"the fee {N(intent.Fee)} exceeds the maximum {N(maxFee)}");
        if (rules.MaxFeeRateMilli is { } maxRate)
        {
            if (intent.VirtualSize is not (> 0 and var vsize))
                return judge.Failed(PolicyRules.FeeRate, "a fee-rate cap is set but the decoded transaction carries no vsize to judge it by");
            if (intent.Fee * 1000 > maxRate * vsize)
                return judge.Deny(PolicyRules.FeeRate,
                    $"the fee {N(intent.Fee)} over {vsize} vB exceeds the fee-rate cap {Rate(maxRate)} sat/vB");
        }

        if (intent.Call is { } call)
        {
            if (call.Contract.Length == 0)
            {
                if (!intent.Notes.Contains(IntentNotes.ContractCreation))
                    return judge.Deny(PolicyRules.ContractCall, "a contract call without a contract address");
            }
            else
            {
                if (!PolicyAddresses.TryNormalize(chain, call.Contract, out var contract))
                    return judge.Deny(PolicyRules.ContractCall, $"the called contract '{Clip(call.Contract)}' is not an address of {chain.Id}");
                var selector = PolicyAddresses.NormalizeSelector(chain, call.Selector);
                if (!rules.ContractCalls.Any(r => r.Contract == contract && r.Allows(selector)))
                    return judge.Deny(PolicyRules.ContractCall, $"calling {contract} with selector {Clip(selector)} is not allowed");
            }
        }

        if (OutsideTimeWindows(document, now) is { } notNow)
            return judge.Deny(PolicyRules.TimeWindow, notNow);

        foreach (var (asset, amount) in spending)
        {
            foreach (var limit in rules.Assets[asset].Velocity)
            {
                var key = new VelocityKey(chain.Id, asset, limit.Window);
                if (!snapshot.Velocity.TryGetValue(key, out var used))
                    return judge.Failed(PolicyRules.Velocity, $"the usage of {asset} over {Window(limit.Window)} is unknown");
                if (limit.MaxAmount is { } maxAmount && used.Sum + amount > maxAmount)
                    return judge.Deny(PolicyRules.Velocity,
                        $"{N(used.Sum)} of {asset} already sent in the last {Window(limit.Window)}; {N(amount)} more would pass the limit {N(maxAmount)}");
                if (limit.MaxCount is { } maxCount && used.Count + 1 > maxCount)
                    return judge.Deny(PolicyRules.Velocity,
                        $"{used.Count} transactions of {asset} in the last {Window(limit.Window)}; the limit is {maxCount}");
            }
        }

        var above = spending.FirstOrDefault(s => rules.Assets[s.Key].ApprovalAbove is { } threshold && s.Value > threshold);
        if (above.Key is not null)
        {
            if (document.Approvals is not { } approvals)
                return judge.Failed(PolicyRules.Approvals, $"{above.Key} has an approval threshold but the policy names no approvers");
            var need = $"sends {N(above.Value)} of {above.Key}, above {N(rules.Assets[above.Key].ApprovalAbove!.Value)}";
            if (snapshot.Approvals is not { } tally)
                return judge.NeedsApproval(approvals.Required, $"{need}: needs {approvals.Required} of {string.Join(", ", approvals.Approvers)}");
            if (tally.RejectedBy is { } rejecter)
                return judge.Deny(PolicyRules.Approvals, $"rejected by approver {rejecter}");
            if (now > tally.ExpiresAt)
                return judge.Deny(PolicyRules.Approvals, $"the approval window closed at {Time(tally.ExpiresAt)}");
            var approvedBy = tally.ApprovedBy.Where(a => approvals.Approvers.Contains(a) && a != request.Principal)
                .Distinct(StringComparer.Ordinal).ToArray();
            if (approvedBy.Length < approvals.Required)
                return judge.NeedsApproval(approvals.Required, $"{need}: {approvedBy.Length} of {approvals.Required} approvals so far");
            return judge.Allow(PolicyRules.Approvals, $"{need}; approved by {string.Join(", ", approvedBy)}");
        }

        return judge.Allow(PolicyRules.Allowed, "every rule passed");
    }

    /// <summary>
    /// Why the request may not join the conflict group its replay keys lead to, or null. Every
    /// transaction of a group shares a key with every other, so at most one confirms and velocity
    /// counts the group once; a newcomer must keep it that way. It must claim the same about every
    /// key it shares (a spent output's value: see <see cref="TransactionIntent.ReplayClaims"/>);
    /// the same payload again is the same transaction; anything else must be an allowed
    /// replacement of every member, sharing a key with each (a chain of replacements A ← B ← C
    /// where C shares nothing with A would let A and C both confirm). Keys leading to two groups
    /// are refused: their members do not conflict with each other, so no newcomer replaces both.
    /// </summary>
    private static string? Conflict(ChainRules rules, Chain chain, TransactionIntent intent, SigningRequest request, IReadOnlyList<PriorSigning> priors)
    {
        if (priors.Count == 0) return null;
        if (priors.Select(p => p.Group).Distinct().Skip(1).Any())
            return "its replay keys are used by transactions that do not conflict with each other, so it cannot replace them all";
        var keys = intent.ReplayKeys.ToHashSet(StringComparer.Ordinal);
        foreach (var prior in priors)
        {
            var shared = prior.Intent?.ReplayKeys.Where(keys.Contains).Distinct(StringComparer.Ordinal).ToArray() ?? [];
            foreach (var key in shared)
                if (prior.Intent!.ClaimFor(key) != intent.ClaimFor(key))
                    return $"for {key} it claims {Clip(Quoted(intent.ClaimFor(key)))}, but an earlier signed transaction (payload {Short(prior.PayloadDigest)}) claimed {Clip(Quoted(prior.Intent.ClaimFor(key)))}";
            if (string.Equals(prior.PayloadDigest, request.PayloadDigest, StringComparison.OrdinalIgnoreCase)) continue;
            var what = $"a different transaction (payload {Short(prior.PayloadDigest)}) was already signed in its conflict group";
            if (!rules.AllowReplacement)
                return $"{what}; replacements are not allowed on {chain.Id}";
            if (prior.Intent is null)
                return $"{what}, which was not decoded, so no replacement can be proven";
            if (shared.Length == 0)
                return $"{what} and it shares no replay key with that one, so both could confirm";
            if (!ReplacementRule.Allows(prior.Intent, intent, out var why))
                return $"{what}; not an allowed replacement: {why}";
        }
        return null;
    }

    private static string Quoted(ReplayClaim? claim) => claim is null ? "nothing" : $"'{claim}'";

    /// <summary>What the request sends per asset (non-change outputs), which the velocity ledger records.</summary>
    public static IReadOnlyDictionary<string, BigInteger> Spending(SigningRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Intent is null ? new Dictionary<string, BigInteger>() : Sum(Payments(request.Chain, request.Intent));
    }

    /// <summary>The velocity counters the policy names for this request: what the store must read.</summary>
    public static IReadOnlyList<VelocityKey> VelocityKeys(VersionedPolicy? policy, SigningRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (policy is null || !policy.Document.Chains.TryGetValue(request.Chain.Id, out var rules)) return [];
        return Spending(request).Keys
            .Where(rules.Assets.ContainsKey)
            .SelectMany(asset => rules.Assets[asset].Velocity.Select(l => new VelocityKey(request.Chain.Id, asset, l.Window)))
            .Distinct()
            .ToArray();
    }

    /// <summary>A transfer the policy judges: every output not proven to be change, plus native value sent with a call.</summary>
    private sealed record Payment(string Label, string? Destination, string Asset, BigInteger Amount);

    private static List<Payment> Payments(Chain chain, TransactionIntent intent)
    {
        var payments = new List<Payment>();
        for (var i = 0; i < intent.Outputs.Count; i++)
        {
            var output = intent.Outputs[i];
            if (output.IsChange) continue;
            PolicyAddresses.TryNormalize(chain, output.Destination, out var destination);
            var asset = PolicyAddresses.TryNormalizeAsset(chain, output.Asset, out var canonical) ? canonical : output.Asset;
            payments.Add(new Payment($"output[{i}]", destination, asset, output.Amount));
        }
        // A decoder should show native value sent with a call as an output to the contract; if it did
        // not, the value is still a payment and is judged as one.
        if (intent.Call is { Value.IsZero: false } call)
        {
            PolicyAddresses.TryNormalize(chain, call.Contract, out var contract);
            var shown = payments.Any(p => p.Asset == IntentOutput.NativeAsset && p.Destination == contract && p.Amount == call.Value);
            if (!shown) payments.Add(new Payment("call value", contract, IntentOutput.NativeAsset, call.Value));
        }
        return payments;
    }

    private static Dictionary<string, BigInteger> Sum(IEnumerable<Payment> payments)
    {
        var sums = new Dictionary<string, BigInteger>(StringComparer.Ordinal);
        foreach (var payment in payments)
            sums[payment.Asset] = sums.GetValueOrDefault(payment.Asset) + payment.Amount;
        return sums;
    }

    /// <summary>Every address the deny-list is checked against: destinations, token contracts and the called contract.</summary>
    private static IEnumerable<(string Label, string Text)> Addresses(Chain chain, TransactionIntent intent, List<Payment> payments)
    {
        foreach (var payment in payments)
        {
            if (payment.Destination is not null) yield return ($"{payment.Label} destination", payment.Destination);
            if (payment.Asset != IntentOutput.NativeAsset) yield return ($"{payment.Label} token", payment.Asset);
        }
        if (intent.Call is { } call && PolicyAddresses.TryNormalize(chain, call.Contract, out var contract))
            yield return ("the called contract", contract);
    }

    private static string? OutsideTimeWindows(PolicyDocument document, DateTimeOffset now) =>
        document.TimeWindows.Count == 0 || document.TimeWindows.Any(w => w.Contains(now))
            ? null
            : $"{Time(now)} is outside the policy's signing hours (UTC)";

    private static string Amount(Payment p) => $"{N(p.Amount)} of {p.Asset}";
    private static string N(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);
    private static string Rate(BigInteger milli) => (milli / 1000).ToString(CultureInfo.InvariantCulture) +
        (milli % 1000 == 0 ? "" : "." + (milli % 1000).ToString("000", CultureInfo.InvariantCulture).TrimEnd('0'));
    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
    private static string Window(TimeSpan w) => Json.JsonFields.DurationText(w);
    private static string Short(string digest) => digest.Length > 16 ? digest[..16] + "…" : digest;
    private static string Clip(string text) => text.Length > 80 ? text[..80] + "…" : text;

    /// <summary>Builds decisions that all carry the judging version.</summary>
    private readonly record struct Judge(long Version)
    {
        public PolicyDecision Allow(string rule, string reason) => new(PolicyOutcome.Allow, rule, reason, Version);
        public PolicyDecision Deny(string rule, string reason) => new(PolicyOutcome.Deny, rule, reason, Version);
        public PolicyDecision Failed(string rule, string reason) => new(PolicyOutcome.Failed, rule, reason, Version);
        public PolicyDecision Frozen(string reason) => new(PolicyOutcome.Frozen, PolicyRules.Frozen, reason, Version);

        public PolicyDecision NeedsApproval(int required, string reason) =>
            new(PolicyOutcome.NeedsApproval, PolicyRules.Approvals, reason, Version, required);
    }
}
