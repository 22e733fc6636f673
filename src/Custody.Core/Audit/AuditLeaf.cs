namespace Custody.Core.Audit;

/// <summary>
/// One record as a store holds it: the sequence number it is filed under, its canonical
/// bytes (<see cref="AuditRecordEncoding"/>) and, when the store keeps one, the leaf hash
/// it computed at append time (empty when not kept).
/// </summary>
public sealed record AuditLeaf(long Sequence, ReadOnlyMemory<byte> Data, ReadOnlyMemory<byte> StoredLeafHash);
