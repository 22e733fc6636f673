using Custody.Core.Ledger;
using Custody.Storage.Data;

namespace Custody.Storage.Signing;

/// <summary>
/// Stored replies by (principal, request id): the key's primary key is what makes a request id sign
/// once, across processes. A commit claims the id first (an insert another writer's uncommitted
/// claim makes wait), then either fills in the reply with its record's sequence or, when refused,
/// gives the claim back; a committed row always holds a reply.
/// </summary>
internal static class Replies
{
    public static StoredReply? Find(Sql sql, string principal, string requestId) =>
        sql.First(
            "SELECT fingerprint, reply, sequence, completed_at FROM replies WHERE principal = @principal AND request_id = @requestId AND reply IS NOT NULL",
            r => new StoredReply(principal, requestId, r.Bytes(0), r.Bytes(1), r.NullableInt64(2), r.Millis(3)),
            ("@principal", principal), ("@requestId", requestId));

    /// <summary>True when this commit now holds the id; false when a reply is stored under it already.</summary>
    public static bool Claim(Sql sql, string principal, string requestId, byte[] fingerprint, DateTimeOffset at) =>
        sql.Execute(
            """
            INSERT INTO replies (principal, request_id, fingerprint, completed_at) VALUES (@principal, @requestId, @fingerprint, @at)
            ON CONFLICT (principal, request_id) DO NOTHING
            """,
            ("@principal", principal), ("@requestId", requestId), ("@fingerprint", fingerprint), ("@at", Rows.Millis(at))) == 1;

    /// <summary>
    /// Fills in the replies of a batch's claimed ids, with their records' sequence numbers: an upsert
    /// that always finds the claim, so the batch's replies take a few statements while the head is held.
    /// </summary>
    public static void Complete(Sql sql, IReadOnlyList<StoredReply> replies) =>
        CompleteRows.Execute(sql, [.. replies.Select(r => new object?[] { r.Principal, r.RequestId, r.Fingerprint, r.Reply, r.Sequence, Rows.Millis(r.CompletedAt) })]);

    private static readonly MultiRow CompleteRows = new("INSERT INTO replies (principal, request_id, fingerprint, reply, sequence, completed_at)",
        ["principal", "requestId", "fingerprint", "reply", "sequence", "at"],
        "ON CONFLICT (principal, request_id) DO UPDATE SET reply = excluded.reply, sequence = excluded.sequence");

    public static void Release(Sql sql, string principal, string requestId) =>
        sql.Execute("DELETE FROM replies WHERE principal = @principal AND request_id = @requestId AND reply IS NULL",
            ("@principal", principal), ("@requestId", requestId));
}
