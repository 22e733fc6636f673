using Custody.Core.Audit;
using Custody.Storage.Data;
using Custody.Storage.Engine;

namespace Custody.Storage.Writing;

/// <summary>
/// A change's view of the batch it is written in: the statements, the engine, the batch's clock,
/// and the audit records it appends. Records are appended after every change of the batch has been
/// applied, under the audit head's lock, so sequence numbers are assigned once per batch; a
/// change that needs its record's receipt (a stored reply quotes it) gets it in a callback that
/// still runs inside the transaction.
/// </summary>
public sealed class LedgerTransaction
{
    private readonly List<PendingRecord> _records = [];

    internal LedgerTransaction(Sql sql, LedgerEngine engine, DateTimeOffset now)
    {
        Sql = sql;
        Engine = engine;
        Now = now;
    }

    public Sql Sql { get; }

    public LedgerEngine Engine { get; }

    /// <summary>The batch's time: every change in it is judged and stamped at this instant.</summary>
    public DateTimeOffset Now { get; }

    internal IReadOnlyList<PendingRecord> Records => _records;

    /// <summary>Replies that quote their record's receipt, stored together once every receipt is known (see Replies.Complete).</summary>
    internal List<Core.Ledger.StoredReply> CompletedReplies { get; } = [];

    /// <summary>When the batch locked the audit head (a Stopwatch timestamp); null when it appended nothing.</summary>
    internal long? HeadLockedAt { get; set; }

    /// <summary>The log's size after this batch's records, once appended.</summary>
    internal long? AppendedSize { get; set; }

    /// <summary>
    /// Appends <paramref name="record"/> with this change. It is encoded now, so a record that cannot be
    /// written fails the change before anything of it is. <paramref name="onReceipt"/> runs once the
    /// record has its sequence number, inside the same transaction.
    /// </summary>
    public RecordSlot Record(AuditRecord record, Action<AuditReceipt>? onReceipt = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        AuditRecordEncoding.Encode(record);
        var slot = new RecordSlot();
        _records.Add(new PendingRecord(record, slot, onReceipt));
        return slot;
    }

    internal sealed record PendingRecord(AuditRecord Record, RecordSlot Slot, Action<AuditReceipt>? OnReceipt);
}

/// <summary>Where a record's receipt appears once the batch has appended it.</summary>
public sealed class RecordSlot
{
    private AuditReceipt? _receipt;

    public AuditReceipt Receipt => _receipt ?? throw new InvalidOperationException("the record has not been appended yet");

    internal void Set(AuditReceipt receipt) => _receipt = receipt;
}
