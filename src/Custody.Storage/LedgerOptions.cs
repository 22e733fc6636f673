using Custody.Core.Audit;

namespace Custody.Storage;

/// <summary>How a ledger batches its commits and signs its checkpoints.</summary>
public sealed record LedgerOptions
{
    /// <summary>Sign a checkpoint at least this often while records arrive; zero: only on request and on stop.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Sign a checkpoint as soon as this many records are unsigned.</summary>
    public long CheckpointEvery { get; init; } = 1000;

    /// <summary>At most this many changes share one transaction (and the locks it holds).</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>The checkpoint origin line; null uses the signer's key name.</summary>
    public string? Origin { get; init; }

    /// <summary>The audit key; null for a ledger that signs no checkpoints (a tool that only reads, or writes and leaves signing to the daemon).</summary>
    public ICheckpointSigner? CheckpointSigner { get; init; }

    /// <summary>Witnesses asked before each checkpoint is signed and sent each one stored; null for none.</summary>
    public ICheckpointWitnesses? Witnesses { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
