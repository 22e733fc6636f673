using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;

namespace Custody.Core.Audit.Witness;

/// <summary>What a witness answers to an add-checkpoint call, and the HTTP status the protocol gives it.</summary>
public enum WitnessVerdict
{
    /// <summary>200: the checkpoint extends the one held; it is the new one held.</summary>
    Accepted,

    /// <summary>400: the request is malformed, or its old size is larger than the checkpoint's.</summary>
    BadRequest,

    /// <summary>403: no signature of the log's key verifies.</summary>
    NotSigned,

    /// <summary>404: the checkpoint names another log.</summary>
    UnknownLog,

    /// <summary>409: the old size is not the size held (the answer carries the size held), or the same size with another root.</summary>
    Conflict,

    /// <summary>422: the consistency proof from the checkpoint held does not verify.</summary>
    Inconsistent,
}

/// <summary>
/// The checks of the C2SP tlog-witness protocol, in its order, for a witness that holds at most one
/// checkpoint of one log: the reference witness and the witness file both decide with this.
/// </summary>
public static class WitnessRules
{
    /// <param name="held">The checkpoint the witness holds, or null before the first.</param>
    /// <returns>The verdict, the submitted checkpoint when it was readable, and a reason for anything but acceptance.</returns>
    public static (WitnessVerdict Verdict, Checkpoint? Checkpoint, string Reason) Judge(NoteVerifierKey logKey, Checkpoint? held, AddCheckpointRequest request)
    {
        ArgumentNullException.ThrowIfNull(logKey);
        ArgumentNullException.ThrowIfNull(request);
        Checkpoint checkpoint;
        try
        {
            var note = SignedNote.Parse(request.Note);
            checkpoint = Checkpoint.ParseBody(note.Text);
            if (checkpoint.Origin != logKey.Name) return (WitnessVerdict.UnknownLog, checkpoint, $"this witness keeps the log '{logKey.Name}', not '{checkpoint.Origin}'");
            if (note.Check(logKey) != NoteSignatureStatus.Valid) return (WitnessVerdict.NotSigned, checkpoint, $"not signed by {logKey.Name}+{logKey.KeyId:x8}");
        }
        catch (InvalidInputException e)
        {
            return (WitnessVerdict.BadRequest, null, e.Message);
        }
        if (request.OldSize > checkpoint.Size) return (WitnessVerdict.BadRequest, checkpoint, $"the old size {request.OldSize} is larger than the checkpoint's {checkpoint.Size}");
        var heldSize = held?.Size ?? 0;
        if (request.OldSize != heldSize) return (WitnessVerdict.Conflict, checkpoint, $"the witness holds a checkpoint of size {heldSize}, not {request.OldSize}");
        if (held is null) return request.Proof.Count == 0 ? (WitnessVerdict.Accepted, checkpoint, "") : (WitnessVerdict.Inconsistent, checkpoint, "a proof from size 0 must be empty");
        if (held.Size == checkpoint.Size)
            return held.RootHash.Span.SequenceEqual(checkpoint.RootHash.Span) && request.Proof.Count == 0
                ? (WitnessVerdict.Accepted, checkpoint, "")
                : (WitnessVerdict.Conflict, checkpoint, $"another root for the {held.Size} records the witness holds");
        return MerkleProof.VerifyConsistency(held.Size, checkpoint.Size, held.RootHash.Span, checkpoint.RootHash.Span, request.Proof)
            ? (WitnessVerdict.Accepted, checkpoint, "")
            : (WitnessVerdict.Inconsistent, checkpoint, $"the checkpoint of size {checkpoint.Size} does not extend the one of size {held.Size} the witness holds");
    }

    /// <summary>The HTTP status of a verdict (C2SP tlog-witness).</summary>
    public static int HttpStatus(WitnessVerdict verdict) => verdict switch
    {
        WitnessVerdict.Accepted => 200,
        WitnessVerdict.BadRequest => 400,
        WitnessVerdict.NotSigned => 403,
        WitnessVerdict.UnknownLog => 404,
        WitnessVerdict.Conflict => 409,
        WitnessVerdict.Inconsistent => 422,
        _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
    };
}
