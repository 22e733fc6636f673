using Custody.Storage.Wallets;
using Dapper;

namespace Custody.Storage.Idempotency;

/// <summary>
/// Replies of finished requests by (principal, request id), durable across restarts.
/// Only successes are kept: a refused or failed request may be retried with any payload.
/// The claim that stops two concurrent calls with one id from both signing lives in the
/// daemon (one process owns a SQLite file); a shared database would claim here instead.
/// </summary>
public sealed class IdempotencyStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS idempotency (
            principal       TEXT NOT NULL,
            request_id      TEXT NOT NULL,
            request_digest  BLOB NOT NULL,
            reply           BLOB NOT NULL,
            completed_at    INTEGER NOT NULL,
            PRIMARY KEY (principal, request_id)
        ) WITHOUT ROWID;
        """;

    private readonly SqliteOpener _db;
    private readonly TimeProvider _clock;

    public IdempotencyStore(SqliteOpener db, TimeProvider? clock = null)
    {
        _db = db;
        _clock = clock ?? TimeProvider.System;
        using var connection = _db.Open();
        connection.Execute(Schema);
    }

    public async Task<IdempotencyRecord?> FindAsync(string principal, string requestId, CancellationToken cancellationToken)
    {
        await using var connection = await _db.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT request_digest, reply, completed_at FROM idempotency WHERE principal = @principal AND request_id = @requestId",
            new { principal, requestId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null
            : new IdempotencyRecord(principal, requestId, row.request_digest, row.reply, DateTimeOffset.FromUnixTimeMilliseconds(row.completed_at));
    }

    /// <summary>
    /// Stores a reply durably. False when a reply for this id already exists (it is kept:
    /// the first answer given is the answer).
    /// </summary>
    public async Task<bool> SaveAsync(string principal, string requestId, byte[] requestDigest, byte[] reply, CancellationToken cancellationToken)
    {
        await using var connection = await _db.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO idempotency (principal, request_id, request_digest, reply, completed_at)
            VALUES (@principal, @requestId, @requestDigest, @reply, @now)
            ON CONFLICT (principal, request_id) DO NOTHING
            """,
            new { principal, requestId, requestDigest, reply, now = _clock.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    private sealed record Row(byte[] request_digest, byte[] reply, long completed_at);
}
