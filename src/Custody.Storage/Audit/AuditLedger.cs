using Custody.Core;
using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Core.Ledger;
using Custody.Storage.Data;
using Custody.Storage.Engine;
using Custody.Storage.Writing;

namespace Custody.Storage.Audit;

internal sealed class AuditLedger(Readers readers, LedgerWriter writer, AuditAppender appender, Checkpointer? checkpointer) : IAuditLedger
{
    public long Size => appender.Size;

    public long CheckpointedSize => checkpointer?.CheckpointedSize ?? 0;

    public Exception? LastCheckpointError => checkpointer?.LastError;

    public DateTimeOffset FullySignedAt => checkpointer?.FullySignedAt ?? DateTimeOffset.UnixEpoch;

    public Task<IReadOnlyList<byte[]>> LeafHashesAsync(long from, long to, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);
        return Task.FromResult<IReadOnlyList<byte[]>>(readers.Read(sql =>
        {
            var hashes = AuditTables.LeafHashes(sql, from, to);
            return hashes.Count == to - from ? hashes
                : throw new InvalidOperationException($"the log holds {hashes.Count} of records {from}..{to - 1}; run 'custody-admin audit verify'");
        }));
    }

    public Task<AuditReceipt> AppendAsync(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return writer.CommitAsync<AuditReceipt>(LockSet.None, tx =>
        {
            var slot = tx.Record(record);
            return () => slot.Receipt;
        });
    }

    public Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AuditRecord>>(readers.Read(sql => AuditTables.Query(sql, query)));

    public Task<AuditRecord?> GetAsync(long sequence, CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(sql => AuditTables.Get(sql, sequence)));

    public Task<IReadOnlyList<SignedCheckpoint>> CheckpointsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SignedCheckpoint>>(readers.Read(AuditTables.Checkpoints));

    public Task<SignedCheckpoint?> LatestCheckpointAsync(CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(AuditTables.LatestCheckpoint));

    // Proofs are computed from the stored leaf hashes, O(size) per request; a proof from altered
    // hashes simply fails to verify against the signed root.
    public Task<(SignedCheckpoint Checkpoint, InclusionProof Proof, byte[] RecordData)> InclusionProofAsync(long sequence, long? checkpointIndex, CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(sql =>
        {
            var checkpoint = checkpointIndex is { } index ? AuditTables.Checkpoint(sql, index)
                : AuditTables.LatestCheckpoint(sql) ?? throw new InvalidInputException("sequence", "no checkpoint has been signed yet; try again in a second");
            var size = checkpoint.Checkpoint.Size;
            if (sequence < 0 || sequence >= size)
                throw new InvalidInputException("sequence", $"record {sequence} is not covered by checkpoint {checkpoint.Index} (size {size}) yet");
            var data = AuditTables.Data(sql, sequence) ?? throw new InvalidOperationException($"record {sequence} is missing; run 'custody-admin audit verify'");
            return (checkpoint, Tree(sql, size).InclusionProof(sequence, size), data);
        }, snapshot: true));

    public Task<(SignedCheckpoint From, SignedCheckpoint To, ConsistencyProof Proof)> ConsistencyProofAsync(long fromIndex, long toIndex, CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(sql =>
        {
            var from = AuditTables.Checkpoint(sql, fromIndex);
            var to = AuditTables.Checkpoint(sql, toIndex);
            if (from.Checkpoint.Size > to.Checkpoint.Size)
                throw new InvalidInputException("checkpoint", $"checkpoint {fromIndex} is larger than checkpoint {toIndex}");
            return (from, to, Tree(sql, to.Checkpoint.Size).ConsistencyProof(from.Checkpoint.Size, to.Checkpoint.Size));
        }, snapshot: true));

    public Task<AuditVerification> VerifyAsync(NoteVerifierKey key, IEnumerable<string>? anchors, CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(sql => AuditReplay.Verify(sql, key, anchors), snapshot: true));

    public async Task<SignedCheckpoint?> CheckpointAsync() =>
        checkpointer is null ? readers.Read(AuditTables.LatestCheckpoint) : await checkpointer.SignAsync().ConfigureAwait(false);

    private static MerkleTree Tree(Sql sql, long size)
    {
        var tree = new MerkleTree();
        foreach (var hash in AuditTables.LeafHashes(sql, 0, size)) tree.Append(hash);
        if (tree.Size != size)
            throw new InvalidOperationException($"the log holds {tree.Size} of the {size} records a checkpoint covers; run 'custody-admin audit verify'");
        return tree;
    }
}

/// <summary>The full check of a stored log: the verifier over every record and checkpoint, plus the index columns against the data.</summary>
internal static class AuditReplay
{
    public static AuditVerification Verify(Sql sql, NoteVerifierKey key, IEnumerable<string>? anchors)
    {
        ArgumentNullException.ThrowIfNull(key);
        var verifier = new AuditVerifier(key, AuditTables.Checkpoints(sql).Select(c => c.Note), anchors: anchors);
        foreach (var row in AuditTables.All(sql))
        {
            if (verifier.Add(new AuditLeaf(row.Seq, row.Data, row.LeafHash)) is not null) break;
            // The index columns steer queries: if they lie, a query would hide the record.
            var record = AuditRecordEncoding.Decode(row.Data);
            if (row.TimeUs != AuditTime.ToMicros(record.Time) || row.Principal != record.Principal
                || row.Action != record.Action || row.WalletId != record.WalletId)
            {
                var failure = new AuditFailure(AuditFailureKind.AlteredRecord, row.Seq,
                    "its indexed columns (time, principal, action, wallet) disagree with its content (edited)");
                return new AuditVerification(failure, verifier.RecordCount, verifier.CheckpointsVerified, verifier.LastGoodCheckpoint?.Size ?? 0);
            }
        }
        var verdict = verifier.Complete();
        if (verdict.Failure is null)
        {
            // The head's frontier is what the next checkpoint will sign: it must be the tree of the records.
            var head = AuditTables.ReadHead(sql);
            if (head.Size != verdict.RecordCount || !head.Tree().Root().AsSpan().SequenceEqual(verifier.Tree.Root()))
                return verdict with
                {
                    Failure = new AuditFailure(AuditFailureKind.HeadMismatch, verdict.RecordCount,
                        $"the audit head says {head.Size} records with another root than the {verdict.RecordCount} records stored"),
                };
        }
        return verdict;
    }
}
