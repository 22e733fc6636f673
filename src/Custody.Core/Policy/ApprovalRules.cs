namespace Custody.Core.Policy;

/// <summary>"Needs <paramref name="Required"/> of these approvers", each distinct from the requester, within <paramref name="Expiry"/>.</summary>
public sealed record ApprovalRules(int Required, IReadOnlySet<string> Approvers, TimeSpan Expiry);
