namespace Custody.Core.Audit;

/// <summary>
/// Proof of acceptance, handed out only after the record's transaction committed: its
/// sequence number, the time the log gave it, and its Merkle leaf hash (which an
/// inclusion proof against any later checkpoint ties to the signed root).
/// </summary>
public sealed record AuditReceipt(long Sequence, DateTimeOffset Time, ReadOnlyMemory<byte> LeafHash);
