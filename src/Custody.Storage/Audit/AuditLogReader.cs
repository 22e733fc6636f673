using Custody.Core;
using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Audit;

/// <summary>
/// Reads the audit tables: records by filter, checkpoints, proofs, and the full
/// verification. Safe beside a running <see cref="AuditLog"/> (WAL readers do not block
/// the writer) and on a read-only copy of the file.
/// </summary>
public sealed class AuditLogReader(SqliteDatabase database)
{
    private readonly SqliteDatabase _database = database ?? throw new ArgumentNullException(nameof(database));

    /// <summary>Whether the file holds the audit tables at all.</summary>
    public bool HasLog()
    {
        using var c = Open();
        return SqliteSchema.CurrentVersion(c, AuditSchema.Component) > 0;
    }

    public long Count()
    {
        using var c = Open();
        return c.ExecuteScalar<long>("SELECT count(*) FROM audit_records");
    }

    public AuditRecord? Get(long sequence)
    {
        using var c = Open();
        var data = c.ExecuteScalar<byte[]?>("SELECT data FROM audit_records WHERE seq = @sequence", new { sequence });
        return data is null ? null : AuditRecordEncoding.Decode(data);
    }

    /// <summary>Records matching <paramref name="query"/> in sequence order, streamed from the file.</summary>
    public IEnumerable<AuditRecord> Query(AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string>();
        var args = new DynamicParameters();
        void Filter(string clause, string name, object? value)
        {
            if (value is null) return;
            where.Add(clause);
            args.Add(name, value);
        }
        Filter("time_us >= @from", "from", query.From is { } from ? AuditTime.ToMicros(from) : null);
        Filter("time_us < @to", "to", query.To is { } to ? AuditTime.ToMicros(to) : null);
        Filter("principal = @principal", "principal", query.Principal);
        Filter("wallet_id = @wallet", "wallet", query.WalletId);
        Filter("action = @action", "action", query.Action);
        Filter("seq >= @fromSeq", "fromSeq", query.FromSequence);
        var sql = "SELECT data FROM audit_records"
            + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")
            + " ORDER BY seq"
            + (query.Limit is { } limit ? $" LIMIT {Math.Max(0, limit)}" : "");
        return Stream(sql, args);
    }

    private IEnumerable<AuditRecord> Stream(string sql, DynamicParameters args)
    {
        using var c = Open();
        foreach (var data in c.Query<byte[]>(sql, args, buffered: false))
            yield return AuditRecordEncoding.Decode(data);
    }

    public IReadOnlyList<SignedCheckpoint> Checkpoints()
    {
        using var c = Open();
        return c.Query<CheckpointRow>("SELECT idx AS Idx, note AS Note FROM audit_checkpoints ORDER BY idx").Select(ToCheckpoint).ToList();
    }

    public SignedCheckpoint? LatestCheckpoint()
    {
        using var c = Open();
        var row = c.QuerySingleOrDefault<CheckpointRow>("SELECT idx AS Idx, note AS Note FROM audit_checkpoints ORDER BY idx DESC LIMIT 1");
        return row is null ? null : ToCheckpoint(row);
    }

    public SignedCheckpoint GetCheckpoint(long index)
    {
        using var c = Open();
        var row = c.QuerySingleOrDefault<CheckpointRow>("SELECT idx AS Idx, note AS Note FROM audit_checkpoints WHERE idx = @index", new { index });
        return row is null ? throw new InvalidInputException("checkpoint", $"no checkpoint {index}") : ToCheckpoint(row);
    }

    /// <summary>The proof that record <paramref name="sequence"/> is in the tree checkpoint <paramref name="checkpointIndex"/> signed.</summary>
    public InclusionProof GetInclusionProof(long sequence, long checkpointIndex)
    {
        var size = GetCheckpoint(checkpointIndex).Checkpoint.Size;
        if (sequence < 0 || sequence >= size)
            throw new InvalidInputException("sequence", $"record {sequence} is not covered by checkpoint {checkpointIndex} (size {size})");
        return LeafTree(size).InclusionProof(sequence, size);
    }

    /// <summary>The proof that checkpoint <paramref name="fromIndex"/>'s tree is a prefix of checkpoint <paramref name="toIndex"/>'s.</summary>
    public ConsistencyProof GetConsistencyProof(long fromIndex, long toIndex)
    {
        var size1 = GetCheckpoint(fromIndex).Checkpoint.Size;
        var size2 = GetCheckpoint(toIndex).Checkpoint.Size;
        if (size1 > size2) throw new InvalidInputException("checkpoint", $"checkpoint {fromIndex} is larger than checkpoint {toIndex}");
        return LeafTree(size2).ConsistencyProof(size1, size2);
    }

    /// <summary>Replays the whole log against <paramref name="key"/>; see <see cref="AuditVerifier"/>.</summary>
    /// <param name="anchors">Signed checkpoints kept outside this file that the log must still contain.</param>
    public AuditVerification Verify(NoteVerifierKey key, IEnumerable<string>? anchors = null) => Replay(key, anchors).Verdict;

    /// <summary>The verdict and the tree of the records that passed (the appender resumes from it).</summary>
    internal (AuditVerification Verdict, MerkleTreeState Tree) Replay(NoteVerifierKey key, IEnumerable<string>? anchors = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var c = Open();
        var hasLog = SqliteSchema.CurrentVersion(c, AuditSchema.Component) > 0;
        List<string> notes = hasLog ? c.Query<string>("SELECT note FROM audit_checkpoints ORDER BY idx").ToList() : [];
        var verifier = new AuditVerifier(key, notes, anchors: anchors);
        if (!hasLog) return (verifier.Complete(), verifier.Tree);
        const string sql = "SELECT seq AS Seq, time_us AS TimeUs, principal AS Principal, action AS Action, wallet_id AS WalletId, data AS Data, leaf_hash AS LeafHash FROM audit_records ORDER BY seq";
        foreach (var row in c.Query<StoredRecordRow>(sql, buffered: false))
        {
            if (verifier.Add(new AuditLeaf(row.Seq, row.Data, row.LeafHash)) is not null) break;
            // The index columns steer queries: if they lie, a query would hide the record.
            var record = AuditRecordEncoding.Decode(row.Data);
            if (row.TimeUs != AuditTime.ToMicros(record.Time) || row.Principal != record.Principal
                || row.Action != record.Action || row.WalletId != record.WalletId)
            {
                var failure = new AuditFailure(AuditFailureKind.AlteredRecord, row.Seq,
                    "its indexed columns (time, principal, action, wallet) disagree with its content (edited)");
                return (new AuditVerification(failure, verifier.RecordCount, verifier.CheckpointsVerified, verifier.LastGoodCheckpoint?.Size ?? 0), verifier.Tree);
            }
        }
        return (verifier.Complete(), verifier.Tree);
    }

    internal DateTimeOffset? LastRecordTime()
    {
        using var c = Open();
        var micros = c.ExecuteScalar<long?>("SELECT time_us FROM audit_records ORDER BY seq DESC LIMIT 1");
        return micros is { } us ? DateTimeOffset.UnixEpoch.AddTicks(us * TimeSpan.TicksPerMicrosecond) : null;
    }

    // Proofs are computed from the stored leaf hashes, O(size) per request; a proof from
    // altered hashes simply fails to verify against the signed root.
    private MerkleTree LeafTree(long size)
    {
        using var c = Open();
        var tree = new MerkleTree();
        foreach (var hash in c.Query<byte[]>("SELECT leaf_hash FROM audit_records WHERE seq < @size ORDER BY seq", new { size }, buffered: false))
            tree.Append(hash);
        if (tree.Size != size)
            throw new InvalidOperationException($"the log holds {tree.Size} of the {size} records a checkpoint covers; run 'custody-admin audit verify'");
        return tree;
    }

    private SqliteConnection Open() => _database.Open();

    private static SignedCheckpoint ToCheckpoint(CheckpointRow row) =>
        new(row.Idx, Checkpoint.ParseBody(SignedNote.Parse(row.Note).Text), row.Note);

    private sealed class CheckpointRow
    {
        public long Idx { get; set; }
        public string Note { get; set; } = "";
    }

    private sealed class StoredRecordRow
    {
        public long Seq { get; set; }
        public long TimeUs { get; set; }
        public string Principal { get; set; } = "";
        public string Action { get; set; } = "";
        public string? WalletId { get; set; }
        public byte[] Data { get; set; } = [];
        public byte[] LeafHash { get; set; } = [];
    }
}
