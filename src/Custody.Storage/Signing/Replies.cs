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

    public static void Complete(Sql sql, string principal, string requestId, byte[] reply, long sequence) =>
        sql.Execute("UPDATE replies SET reply = @reply, sequence = @sequence WHERE principal = @principal AND request_id = @requestId",
            ("@reply", reply), ("@sequence", sequence), ("@principal", principal), ("@requestId", requestId));

    public static void Release(Sql sql, string principal, string requestId) =>
        sql.Execute("DELETE FROM replies WHERE principal = @principal AND request_id = @requestId AND reply IS NULL",
            ("@principal", principal), ("@requestId", requestId));
}
