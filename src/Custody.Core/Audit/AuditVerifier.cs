using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;

namespace Custody.Core.Audit;

/// <summary>
/// Replays a log: feeds the records in sequence order into a fresh Merkle tree and checks
/// every signed checkpoint against it, in log order, stopping at the first thing that does
/// not fit. Per record: no gap, no repeat, canonical bytes, its own sequence number, and
/// the leaf hash the store kept. Per checkpoint: note syntax, the audit key's signature,
/// one origin, sizes that never shrink, the signed root equals the recomputed one, an
/// RFC 9162 consistency proof from the previous checkpoint, and no records cut off after it.
/// <para>
/// How precisely an edit is located depends on what the attacker rewrote: an edit that
/// leaves the stored leaf hash alone names the record; one that also rewrites the leaf
/// hash is caught by the next checkpoint, whose failure names the range of records it
/// covers beyond the previous good checkpoint (signed roots are the only trusted anchors).
/// Removing the newest checkpoints together with their records cannot be seen from the
/// file alone: pass checkpoints kept elsewhere (a witness, an earlier export) as anchors,
/// and the log must contain each of their trees.
/// </para>
/// </summary>
public sealed class AuditVerifier
{
    private readonly NoteVerifierKey _key;
    private readonly List<string> _anchors;
    private readonly List<PendingCheckpoint> _checkpoints = [];
    private readonly MerkleTree _tree = new();
    private int _next;
    private Checkpoint? _lastGood;
    private AuditFailure? _failure;

    /// <param name="checkpointNotes">The signed checkpoints in the order they were written.</param>
    /// <param name="origin">The origin every checkpoint must name; null accepts the first checkpoint's.</param>
    /// <param name="anchors">Signed checkpoints kept outside the store, checked once the replay is complete.</param>
    public AuditVerifier(NoteVerifierKey key, IEnumerable<string> checkpointNotes, string? origin = null, IEnumerable<string>? anchors = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(checkpointNotes);
        _key = key;
        _anchors = anchors?.ToList() ?? [];
        long position = 0;
        var index = 0;
        foreach (var note in checkpointNotes)
        {
            var (checkpoint, failure) = Open(index, note, ref origin, position);
            // A good checkpoint is checked when the replay reaches its size; a bad one as soon
            // as the replay reaches the good checkpoint before it.
            _checkpoints.Add(new PendingCheckpoint(index, checkpoint, failure, failure is null ? checkpoint!.Size : position));
            if (failure is null) position = checkpoint!.Size;
            index++;
        }
    }

    /// <summary>Records accepted so far.</summary>
    public long RecordCount => _tree.Size;

    /// <summary>The tree of the records accepted so far.</summary>
    public MerkleTreeState Tree => _tree.State(_tree.Size);

    /// <summary>Checkpoints found good so far.</summary>
    public int CheckpointsVerified => _next;

    /// <summary>The last checkpoint found good so far.</summary>
    public Checkpoint? LastGoodCheckpoint => _lastGood;

    public static AuditVerification Verify(IEnumerable<AuditLeaf> records, IEnumerable<string> checkpointNotes, NoteVerifierKey key, string? origin = null, IEnumerable<string>? anchors = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var verifier = new AuditVerifier(key, checkpointNotes, origin, anchors);
        foreach (var record in records)
            if (verifier.Add(record) is not null) break;
        return verifier.Complete();
    }

    /// <summary>Checks the next record; returns the first failure (this one or an earlier), or null.</summary>
    public AuditFailure? Add(AuditLeaf leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        if (_failure is not null) return _failure;
        var position = _tree.Size;
        if (CheckCheckpointsAt(position) is { } failure) return _failure = failure;
        if (CheckRecord(position, leaf) is { } bad) return _failure = bad;
        return null;
    }

    /// <summary>Ends the replay: checkpoints beyond the last record mean the tail was cut.</summary>
    public AuditVerification Complete()
    {
        if (_failure is null && CheckCheckpointsAt(_tree.Size) is { } failure) _failure = failure;
        if (_failure is null && _next < _checkpoints.Count)
        {
            var c = _checkpoints[_next];
            _failure = c.Failure ?? new AuditFailure(AuditFailureKind.Truncated, c.Index,
                $"signed {c.Checkpoint!.Size} records but the log holds {_tree.Size}: records {_tree.Size}..{c.Checkpoint.Size - 1} were removed");
        }
        for (var i = 0; _failure is null && i < _anchors.Count; i++) _failure = CheckAnchor(i, _anchors[i]);
        return new AuditVerification(_failure, _tree.Size, _failure is null ? _checkpoints.Count : _next, _lastGood?.Size ?? 0);
    }

    private AuditFailure? CheckRecord(long position, AuditLeaf leaf)
    {
        if (leaf.Sequence > position)
            return new AuditFailure(AuditFailureKind.MissingRecord, position, $"missing: the next stored record is {leaf.Sequence}");
        if (leaf.Sequence < position)
            return new AuditFailure(AuditFailureKind.UnexpectedRecord, position, $"a record numbered {leaf.Sequence} appears where {position} belongs");
        AuditRecord record;
        try
        {
            record = AuditRecordEncoding.Decode(leaf.Data.Span);
        }
        catch (InvalidInputException e)
        {
            return new AuditFailure(AuditFailureKind.MalformedRecord, position, $"not a valid record ({e.Message})");
        }
        if (record.Sequence != position)
            return new AuditFailure(AuditFailureKind.MisplacedRecord, position, $"holds the content of record {record.Sequence} (moved or swapped)");
        var leafHash = MerkleHash.Leaf(leaf.Data.Span);
        if (!leaf.StoredLeafHash.IsEmpty && !leaf.StoredLeafHash.Span.SequenceEqual(leafHash))
            return new AuditFailure(AuditFailureKind.AlteredRecord, position, "the content does not match the leaf hash stored when it was appended (edited)");
        _tree.Append(leafHash);
        return null;
    }

    private AuditFailure? CheckCheckpointsAt(long size)
    {
        while (_next < _checkpoints.Count && _checkpoints[_next].Position <= size)
        {
            var c = _checkpoints[_next];
            if (c.Failure is not null) return c.Failure;
            var checkpoint = c.Checkpoint!;
            if (!checkpoint.RootHash.Span.SequenceEqual(_tree.Root()))
            {
                var from = _lastGood?.Size ?? 0;
                return new AuditFailure(AuditFailureKind.RootMismatch, c.Index,
                    $"the records do not hash to the signed root of size {checkpoint.Size}: one of records {from}..{checkpoint.Size - 1} was altered, inserted or removed");
            }
            if (_lastGood is { } previous)
            {
                var proof = _tree.ConsistencyProof(previous.Size, checkpoint.Size);
                if (!proof.Verify(previous.RootHash.Span, checkpoint.RootHash.Span))
                    return new AuditFailure(AuditFailureKind.Inconsistent, c.Index, $"not consistent with the checkpoint of size {previous.Size}");
            }
            _lastGood = checkpoint;
            _next++;
        }
        return null;
    }

    private AuditFailure? CheckAnchor(int index, string note)
    {
        Checkpoint anchor;
        try
        {
            anchor = Checkpoint.Open(note, _key);
        }
        catch (InvalidInputException e)
        {
            return new AuditFailure(AuditFailureKind.ExternalCheckpoint, index, $"unusable ({e.Reason})");
        }
        if (anchor.Size > _tree.Size)
            return new AuditFailure(AuditFailureKind.ExternalCheckpoint, index,
                $"signed {anchor.Size} records but the log holds {_tree.Size}: records {_tree.Size}..{anchor.Size - 1} were removed with their checkpoints");
        if (!anchor.RootHash.Span.SequenceEqual(_tree.Root(anchor.Size)))
            return new AuditFailure(AuditFailureKind.ExternalCheckpoint, index,
                $"the first {anchor.Size} records do not hash to its signed root: the log was rewritten");
        return null;
    }

    private (Checkpoint?, AuditFailure?) Open(int index, string note, ref string? origin, long previousSize)
    {
        SignedNote signed;
        Checkpoint checkpoint;
        try
        {
            signed = SignedNote.Parse(note);
        }
        catch (InvalidInputException e)
        {
            return (null, new AuditFailure(AuditFailureKind.MalformedCheckpoint, index, $"not a signed note ({e.Reason})"));
        }
        switch (signed.Check(_key))
        {
            case NoteSignatureStatus.Missing:
                return (null, new AuditFailure(AuditFailureKind.BadSignature, index, $"not signed by the audit key {_key.Name}+{_key.KeyId:x8}"));
            case NoteSignatureStatus.Invalid:
                return (null, new AuditFailure(AuditFailureKind.BadSignature, index, $"the signature of {_key.Name}+{_key.KeyId:x8} does not verify (forged or altered)"));
        }
        try
        {
            checkpoint = Checkpoint.ParseBody(signed.Text);
        }
        catch (InvalidInputException e)
        {
            return (null, new AuditFailure(AuditFailureKind.MalformedCheckpoint, index, e.Reason));
        }
        origin ??= checkpoint.Origin;
        if (checkpoint.Origin != origin)
            return (null, new AuditFailure(AuditFailureKind.WrongOrigin, index, $"names the log '{checkpoint.Origin}', not '{origin}'"));
        if (checkpoint.Size < previousSize)
            return (null, new AuditFailure(AuditFailureKind.SizeDecreased, index, $"signs {checkpoint.Size} records, fewer than the {previousSize} signed before"));
        return (checkpoint, null);
    }

    private sealed record PendingCheckpoint(int Index, Checkpoint? Checkpoint, AuditFailure? Failure, long Position);
}
