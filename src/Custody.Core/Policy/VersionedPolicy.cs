namespace Custody.Core.Policy;

/// <summary>A stored policy version: its number (unique across scopes), scope, document and when it took force.</summary>
public sealed record VersionedPolicy(long Version, PolicyScope Scope, PolicyDocument Document, DateTimeOffset EffectiveFrom);
