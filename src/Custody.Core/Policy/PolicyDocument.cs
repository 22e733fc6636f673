namespace Custody.Core.Policy;

/// <summary>
/// One version of a wallet's (or the global default) policy, parsed and normalised:
/// chain ids resolved through the registry, addresses in their chain's canonical text.
/// Immutable; written back by <see cref="PolicyJson.Write"/> in one canonical form.
/// </summary>
/// <param name="Principals">Who may ask this wallet to sign (authenticated caller names).</param>
/// <param name="Chains">Rules per chain, keyed by registry id; a chain not listed is refused.</param>
/// <param name="TimeWindows">UTC windows in which signing is allowed; empty means at any time.</param>
/// <param name="Approvals">Who approves and how many, when an asset's approvalAbove is passed.</param>
public sealed record PolicyDocument(
    string? Description,
    IReadOnlySet<string> Principals,
    IReadOnlyDictionary<string, ChainRules> Chains,
    IReadOnlyList<TimeWindow> TimeWindows,
    ApprovalRules? Approvals)
{
    public const string SchemaId = "custody-policy/v1";
}
