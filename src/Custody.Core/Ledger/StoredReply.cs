namespace Custody.Core.Ledger;

/// <summary>A finished request: what was asked (its fingerprint) and the reply that was given.</summary>
/// <param name="Fingerprint">SHA-256 over the canonical form of the API request (wallet, chain, payload, signer …).</param>
/// <param name="Reply">The serialized reply, returned as is on a retry.</param>
/// <param name="Sequence">The audit record the reply reports; null for a reply moved from an older installation, which did not keep it (the reply itself quotes its receipt).</param>
public sealed record StoredReply(string Principal, string RequestId, byte[] Fingerprint, byte[] Reply, long? Sequence, DateTimeOffset CompletedAt);
