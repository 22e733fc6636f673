namespace Custody.Core.Policy;

/// <summary>A freeze in force: which scope, who set it, when and why.</summary>
public sealed record FreezeState(PolicyScope Scope, string FrozenBy, DateTimeOffset FrozenAt, string Reason);
