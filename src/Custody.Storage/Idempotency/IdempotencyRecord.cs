namespace Custody.Storage.Idempotency;

/// <summary>A finished request: the digest of what was asked and the reply that was given.</summary>
/// <param name="RequestDigest">SHA-256 over the canonical form of the request (wallet, chain, payload, signer).</param>
/// <param name="Reply">The serialized reply, returned as is on a retry.</param>
public sealed record IdempotencyRecord(string Principal, string RequestId, byte[] RequestDigest, byte[] Reply, DateTimeOffset CompletedAt);
