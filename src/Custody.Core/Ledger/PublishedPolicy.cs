using Custody.Core.Policy;

namespace Custody.Core.Ledger;

/// <summary>A published policy version and what changed from the previous version of its scope.</summary>
public sealed record PublishedPolicy(long Version, PolicyScope Scope, string CanonicalDocument, string Diff, bool Changed);
