using Custody.Core.Audit.Notes;

namespace Custody.Core.Audit;

/// <summary>
/// A stored checkpoint: its index (from 0), the parsed body and the signed-note text.
/// Reading does not verify it: check the note with <see cref="Checkpoint.Open"/> and the audit key.
/// </summary>
public sealed record SignedCheckpoint(long Index, Checkpoint Checkpoint, string Note);
