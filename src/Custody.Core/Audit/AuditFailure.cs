namespace Custody.Core.Audit;

/// <summary>Why verification stopped.</summary>
public enum AuditFailureKind
{
    /// <summary>A sequence number is missing: the record was deleted.</summary>
    MissingRecord,

    /// <summary>A sequence number repeats or goes backwards.</summary>
    UnexpectedRecord,

    /// <summary>The stored bytes are not a canonical record.</summary>
    MalformedRecord,

    /// <summary>The record carries another position's sequence number: moved or swapped.</summary>
    MisplacedRecord,

    /// <summary>The content does not match what was hashed (or indexed) when it was appended.</summary>
    AlteredRecord,

    /// <summary>The store's audit head (the frontier the next checkpoint signs) is not the tree of the stored records.</summary>
    HeadMismatch,

    MalformedCheckpoint,

    /// <summary>Not signed by the audit key, or the signature does not verify.</summary>
    BadSignature,

    /// <summary>The checkpoint names another log.</summary>
    WrongOrigin,

    /// <summary>The checkpoint's tree is smaller than an earlier checkpoint's.</summary>
    SizeDecreased,

    /// <summary>The records do not hash to the signed root.</summary>
    RootMismatch,

    /// <summary>The consistency proof from the previous checkpoint does not verify.</summary>
    Inconsistent,

    /// <summary>The log holds fewer records than a signed checkpoint covers: the tail was cut.</summary>
    Truncated,

    /// <summary>A checkpoint kept outside the file (a witness, an earlier copy) does not fit the log.</summary>
    ExternalCheckpoint,
}

/// <summary>The first record or checkpoint that does not fit, with a reason a person can read.</summary>
/// <param name="Index">The record's sequence number, or the checkpoint's index (both from 0).</param>
public sealed record AuditFailure(AuditFailureKind Kind, long Index, string Reason)
{
    public bool IsCheckpoint => Kind >= AuditFailureKind.MalformedCheckpoint;

    public override string ToString() => Kind switch
    {
        AuditFailureKind.ExternalCheckpoint => $"external checkpoint {Index}: {Reason}",
        _ when IsCheckpoint => $"checkpoint {Index}: {Reason}",
        _ => $"record {Index}: {Reason}",
    };
}

/// <summary>The verdict on a whole log: intact, or the first failure.</summary>
/// <param name="RecordCount">Records checked.</param>
/// <param name="CheckpointCount">Checkpoints checked.</param>
/// <param name="SignedSize">How many records the last good checkpoint covers.</param>
public sealed record AuditVerification(AuditFailure? Failure, long RecordCount, int CheckpointCount, long SignedSize)
{
    /// <summary>Nothing found that does not fit. Not the same as verified: records past the newest checkpoint are only consistent.</summary>
    public bool IsIntact => Failure is null;

    /// <summary>Records no signed checkpoint covers: whoever holds the store could have written them.</summary>
    public long UnsignedRecords => Failure is null ? RecordCount - SignedSize : 0;

    /// <summary>
    /// Intact and every record covered by a signed checkpoint; with <paramref name="allowUnsignedTail"/>
    /// (an explicit choice of the operator's), records after the newest checkpoint are accepted unsigned.
    /// </summary>
    public bool IsVerified(bool allowUnsignedTail = false) => IsIntact && (allowUnsignedTail || UnsignedRecords == 0);

    public override string ToString() => Failure is { } f
        ? $"audit log tampered: {f}"
        : UnsignedRecords > 0
            ? $"audit log not verified: {UnsignedRecords} of {RecordCount} records are not covered by any signed checkpoint ({CheckpointCount} checkpoints, the latest covers {SignedSize})"
            : $"audit log intact: {RecordCount} records, {CheckpointCount} signed checkpoints, {SignedSize} records covered by the latest";
}
