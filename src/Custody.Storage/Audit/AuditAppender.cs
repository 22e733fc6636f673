using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Storage.Writing;

namespace Custody.Storage.Audit;

/// <summary>
/// Appends a batch's records inside the writer's transaction: locks the audit head (last, and only
/// for the few statements that follow), assigns sequence numbers from it (never from a sequence
/// object: an aborted transaction would leave a gap), inserts the records, moves the head's
/// frontier, then hands each change its receipt. Other processes appending to the same store
/// serialise on the head, so the log stays gap-free and the frontier always matches the records.
/// </summary>
internal sealed class AuditAppender
{
    private long _size;

    public AuditAppender(long size) => _size = size;

    /// <summary>Records committed, as this process last saw them.</summary>
    public long Size => Interlocked.Read(ref _size);

    /// <summary>Fired after a commit that appended records, with the new size.</summary>
    public event Action<long>? Appended;

    public void Append(LedgerTransaction tx)
    {
        var records = tx.Records;
        if (records.Count == 0) return;
        tx.Engine.LockAuditHead(tx.Sql);
        tx.HeadLockedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var head = AuditTables.ReadHead(tx.Sql);
        var tree = head.Tree();
        // Time never runs backwards in the log, even when the clock does.
        var time = tx.Now > head.LastTime ? tx.Now : head.LastTime;
        var rows = new List<AuditRow>(records.Count);
        foreach (var pending in records)
        {
            var record = pending.Record with { Sequence = tree.Size, Time = time };
            var data = AuditRecordEncoding.Encode(record);
            var leaf = MerkleHash.Leaf(data);
            rows.Add(new AuditRow(record, data, leaf));
            tree.Append(leaf);
            pending.Slot.Set(new AuditReceipt(record.Sequence, record.Time, leaf));
        }
        AuditTables.InsertRecords(tx.Sql, rows);
        AuditTables.WriteHead(tx.Sql, tree, time);
        foreach (var pending in records) pending.OnReceipt?.Invoke(pending.Slot.Receipt);
        // Replies quote their record's receipt: stored right after the records, while the head is still held.
        Signing.Replies.Complete(tx.Sql, tx.CompletedReplies);
        tx.AppendedSize = tree.Size;
    }

    /// <summary>After the commit: the records are durable.</summary>
    public void Committed(LedgerTransaction tx)
    {
        if (tx.AppendedSize is not { } size) return;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _size);
            if (size <= seen) return;
        }
        while (Interlocked.CompareExchange(ref _size, size, seen) != seen);
        Appended?.Invoke(size);
    }

    /// <summary>What another process appended, seen by a read.</summary>
    public void Observe(long size)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref _size);
            if (size <= seen) return;
        }
        while (Interlocked.CompareExchange(ref _size, size, seen) != seen);
    }
}
