using System.Data.Common;
using Custody.Core;
using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Storage.Data;

namespace Custody.Storage.Audit;

/// <summary>
/// The audit tables. <c>data</c> is the canonical record (the Merkle leaf data) and the only source
/// of truth; <c>leaf_hash</c> is kept for proofs and to name an edited row; the other columns index
/// it for queries and are checked against it by the verifier. <c>audit_head</c> holds the tree's
/// right edge (its frontier), so appending and starting never replay the log.
/// </summary>
internal static class AuditTables
{
    public const string InsertRecord = """
        INSERT INTO audit_records (seq, time_us, principal, action, wallet_id, data, leaf_hash)
        VALUES (@seq, @time, @principal, @action, @wallet, @data, @leaf)
        """;

    private const string RecordColumns = "seq, time_us, principal, action, wallet_id, data, leaf_hash";

    /// <summary>The head: records committed, the tree's right edge, the newest record's time.</summary>
    public static AuditHead ReadHead(Sql sql) =>
        sql.First("SELECT size, edge, last_time_us FROM audit_head WHERE id = 1",
            r => new AuditHead(r.GetInt64(0), SplitEdge(r.Bytes(1)), Micros(r.GetInt64(2))))
        ?? throw new InvalidOperationException("the ledger has no audit head: its schema was not created");

    public static void WriteHead(Sql sql, MerkleTreeState tree, DateTimeOffset lastTime) =>
        sql.Execute("UPDATE audit_head SET size = @size, edge = @edge, last_time_us = @time WHERE id = 1",
            ("@size", tree.Size), ("@edge", tree.RightEdge.SelectMany(h => h).ToArray()), ("@time", AuditTime.ToMicros(lastTime)));

    /// <summary>One past the highest sequence number stored (0 for an empty log): must equal the head's size.</summary>
    public static long StoredCount(Sql sql) => (sql.Scalar<long?>("SELECT max(seq) FROM audit_records") ?? -1) + 1;

    public static AuditRecord? Get(Sql sql, long sequence) =>
        sql.First("SELECT data FROM audit_records WHERE seq = @seq", r => AuditRecordEncoding.Decode(r.Bytes(0)), ("@seq", sequence));

    public static byte[]? Data(Sql sql, long sequence) =>
        sql.First("SELECT data FROM audit_records WHERE seq = @seq", r => r.Bytes(0), ("@seq", sequence));

    public static List<AuditRecord> Query(Sql sql, AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        // Only the filters given become conditions: each combination is its own statement (cached),
        // which the planner can serve from the matching index, and no parameter is an untyped NULL.
        var where = new List<string> { "seq >= @from" };
        var args = new List<(string, object?)> { ("@from", query.FromSequence ?? 0), ("@limit", (long)Math.Clamp(query.Limit ?? 100, 1, 10_000)) };
        void Filter(string condition, string name, object? value)
        {
            if (value is null) return;
            where.Add(condition);
            args.Add((name, value));
        }
        Filter("principal = @principal", "@principal", query.Principal);
        Filter("wallet_id = @wallet", "@wallet", query.WalletId);
        Filter("action = @action", "@action", query.Action);
        Filter("time_us >= @timeFrom", "@timeFrom", query.From is { } f ? AuditTime.ToMicros(f) : null);
        Filter("time_us < @timeTo", "@timeTo", query.To is { } t ? AuditTime.ToMicros(t) : null);
        return sql.Query($"SELECT data FROM audit_records WHERE {string.Join(" AND ", where)} ORDER BY seq LIMIT @limit",
            r => AuditRecordEncoding.Decode(r.Bytes(0)), [.. args]);
    }

    /// <summary>Every stored record in order, for a replay; the index columns come along to be checked against the data.</summary>
    public static IEnumerable<StoredRecord> All(Sql sql, long from = 0)
    {
        // Read in pages: a reader that stays open across the whole log would hold one statement for minutes.
        const long Page = 4096;
        for (var next = from; ;)
        {
            var page = sql.Query($"SELECT {RecordColumns} FROM audit_records WHERE seq >= @from ORDER BY seq LIMIT @limit",
                ReadStored, ("@from", next), ("@limit", Page));
            foreach (var row in page) yield return row;
            if (page.Count < Page) yield break;
            next = page[^1].Seq + 1;
        }
    }

    public static List<byte[]> LeafHashes(Sql sql, long from, long to) =>
        sql.Query("SELECT leaf_hash FROM audit_records WHERE seq >= @from AND seq < @to ORDER BY seq", r => r.Bytes(0), ("@from", from), ("@to", to));

    public static List<SignedCheckpoint> Checkpoints(Sql sql) =>
        sql.Query("SELECT idx, note FROM audit_checkpoints ORDER BY idx", ReadCheckpoint);

    public static SignedCheckpoint? LatestCheckpoint(Sql sql) =>
        sql.First("SELECT idx, note FROM audit_checkpoints ORDER BY idx DESC LIMIT 1", ReadCheckpoint);

    public static SignedCheckpoint Checkpoint(Sql sql, long index) =>
        sql.First("SELECT idx, note FROM audit_checkpoints WHERE idx = @idx", ReadCheckpoint, ("@idx", index))
        ?? throw new InvalidInputException("checkpoint", $"no checkpoint {index}");

    public static void InsertCheckpoint(Sql sql, long index, Checkpoint checkpoint, string note, DateTimeOffset at) =>
        sql.Execute("INSERT INTO audit_checkpoints (idx, tree_size, time_us, note) VALUES (@idx, @size, @time, @note)",
            ("@idx", index), ("@size", checkpoint.Size), ("@time", AuditTime.ToMicros(at)), ("@note", note));

    /// <summary>A long text kept in full beside the log, under its SHA-256 (which the record carries).</summary>
    public static void PutText(Sql sql, string digest, string text) =>
        sql.Execute("INSERT INTO audit_texts (digest, text) VALUES (@digest, @text) ON CONFLICT (digest) DO NOTHING", ("@digest", digest), ("@text", text));

    public static string? Text(Sql sql, string digest) =>
        sql.First("SELECT text FROM audit_texts WHERE digest = @digest", r => r.GetString(0), ("@digest", digest));

    private static SignedCheckpoint ReadCheckpoint(DbDataReader r)
    {
        var note = r.GetString(1);
        return new SignedCheckpoint(r.GetInt64(0), Core.Audit.Notes.Checkpoint.ParseBody(SignedNote.Parse(note).Text), note);
    }

    private static StoredRecord ReadStored(DbDataReader r) =>
        new(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.NullableString(4), r.Bytes(5), r.Bytes(6));

    private static IReadOnlyList<byte[]> SplitEdge(byte[] edge) =>
        [.. Enumerable.Range(0, edge.Length / MerkleHash.Size).Select(i => edge[(i * MerkleHash.Size)..((i + 1) * MerkleHash.Size)])];

    private static DateTimeOffset Micros(long us) => DateTimeOffset.UnixEpoch.AddTicks(us * TimeSpan.TicksPerMicrosecond);
}

internal sealed record AuditHead(long Size, IReadOnlyList<byte[]> Edge, DateTimeOffset LastTime)
{
    public MerkleTreeState Tree() => MerkleTreeState.FromRightEdge(Size, Edge);
}

internal sealed record StoredRecord(long Seq, long TimeUs, string Principal, string Action, string? WalletId, byte[] Data, byte[] LeafHash);
