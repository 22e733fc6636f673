namespace Custody.Storage.Audit;

/// <summary>How often the log signs checkpoints and how it batches commits.</summary>
public sealed record AuditLogOptions
{
    /// <summary>Sign a checkpoint once this many records are unsigned.</summary>
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>Sign a checkpoint at least this often while records are unsigned.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many appends share one transaction.</summary>
    public int MaxBatch { get; init; } = 4096;

    /// <summary>The checkpoint origin line; null uses the signer's key name.</summary>
    public string? Origin { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
