namespace Custody.Core.Policy;

/// <summary>
/// The state a decision depends on, read by the store in the same transaction that will
/// reserve it: freeze flags, velocity already used, what was signed under the request's
/// replay keys, and the approvals given so far. The evaluator only reads it.
/// </summary>
/// <param name="Freeze">The freeze in force for the wallet (global or its own), or null.</param>
/// <param name="Velocity">
/// Usage per (chain, asset, window) for every window the policy names for the request, leaving out
/// the group this request would join (only one transaction of a group can confirm).
/// </param>
/// <param name="Prior">
/// Every transaction already signed in the conflict groups this one's replay keys belong to,
/// including members that share no key with it (it must conflict with each to replace them).
/// </param>
/// <param name="Approvals">Verified approvals for this request, when it has been parked for approval.</param>
public sealed record PolicySnapshot(
    FreezeState? Freeze,
    IReadOnlyDictionary<VelocityKey, VelocityTotal> Velocity,
    IReadOnlyList<PriorSigning> Prior,
    ApprovalTally? Approvals)
{
    public static PolicySnapshot Empty { get; } = new(null, new Dictionary<VelocityKey, VelocityTotal>(), [], null);
}
