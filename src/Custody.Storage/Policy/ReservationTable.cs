using System.Globalization;
using Custody.Core.Policy;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Policy;

/// <summary>
/// What admitted requests hold: their velocity spending and their replay keys (the memory of
/// conflict protection). Written in the admission transaction, before any signature exists.
/// A released reservation (no signature was made) stops counting and frees its keys; a
/// superseded one (replaced by a fee bump / RBF paying the same) stops counting towards
/// velocity — only one of the two can confirm — but keeps its keys, since it was signed.
/// </summary>
internal static class ReservationTable
{
    /// <summary>A reservation of this request that is still held, if any (an idempotent retry).</summary>
    public static async Task<bool> IsHeldAsync(SqliteConnection connection, SqliteTransaction transaction, string requestDigest) =>
        await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM policy_reservations WHERE request_digest = @requestDigest AND released_at IS NULL",
            new { requestDigest }, transaction).ConfigureAwait(false) > 0;

    /// <summary>
    /// Velocity used per key by the wallet's held, not superseded reservations in (now − window, now],
    /// leaving out the given requests (the request itself on a retry, and those it would replace).
    /// </summary>
    public static async Task<Dictionary<VelocityKey, VelocityTotal>> UsageAsync(SqliteConnection connection, SqliteTransaction transaction,
        string walletId, IReadOnlyList<VelocityKey> keys, DateTimeOffset now, IReadOnlyCollection<string> excludeRequestDigests)
    {
        var usage = new Dictionary<VelocityKey, VelocityTotal>();
        foreach (var key in keys)
        {
            var row = await connection.QuerySingleAsync<WindowRow>(
                """
                SELECT COUNT(*) AS Count,
                       COALESCE(SUM(l0), 0) AS S0, COALESCE(SUM(l1), 0) AS S1, COALESCE(SUM(l2), 0) AS S2, COALESCE(SUM(l3), 0) AS S3,
                       COALESCE(SUM(l4), 0) AS S4, COALESCE(SUM(l5), 0) AS S5, COALESCE(SUM(l6), 0) AS S6, COALESCE(SUM(l7), 0) AS S7
                FROM policy_velocity
                WHERE wallet = @walletId AND chain = @chain AND asset = @asset AND counted = 1 AND at > @since
                  AND request_digest NOT IN @excludeRequestDigests
                """,
                new { walletId, chain = key.Chain, asset = key.Asset, since = (now - key.Window).ToUnixTimeMilliseconds(), excludeRequestDigests },
                transaction).ConfigureAwait(false);
            usage[key] = new VelocityTotal(AmountLimbs.Join([row.S0, row.S1, row.S2, row.S3, row.S4, row.S5, row.S6, row.S7]), row.Count);
        }
        return usage;
    }

    /// <summary>Held reservations of the wallet that share one of these replay keys.</summary>
    public static async Task<IReadOnlyList<PriorReservation>> PriorAsync(SqliteConnection connection, SqliteTransaction transaction,
        string walletId, string chain, IReadOnlyList<string> replayKeys, string excludeRequestDigest)
    {
        var prior = new List<PriorReservation>();
        foreach (var replayKey in replayKeys.Distinct(StringComparer.Ordinal))
        {
            var rows = await connection.QueryAsync<PriorRow>(
                """
                SELECT k.request_digest AS RequestDigest, k.payload_digest AS PayloadDigest, r.intent AS Intent
                FROM policy_replay_keys k JOIN policy_reservations r ON r.request_digest = k.request_digest
                WHERE k.wallet = @walletId AND k.chain = @chain AND k.replay_key = @replayKey
                  AND r.released_at IS NULL AND k.request_digest <> @excludeRequestDigest
                ORDER BY r.reserved_at
                """,
                new { walletId, chain, replayKey, excludeRequestDigest }, transaction).ConfigureAwait(false);
            prior.AddRange(rows.Select(r => new PriorReservation(r.RequestDigest,
                new PriorSigning(replayKey, r.PayloadDigest, r.Intent is null ? null : IntentJson.Parse(r.Intent)))));
        }
        return prior;
    }

    /// <summary>Holds the request's spending and replay keys; marks the reservations it replaces as superseded.</summary>
    public static async Task ReserveAsync(SqliteConnection connection, SqliteTransaction transaction, string requestDigest,
        SigningRequest request, long policyVersion, IEnumerable<string> replaces, DateTimeOffset now)
    {
        var at = now.ToUnixTimeMilliseconds();
        var wallet = request.WalletId;
        var chain = request.Chain.Id;
        // A released reservation of the same request is replaced whole.
        await connection.ExecuteAsync(
            """
            DELETE FROM policy_velocity WHERE request_digest = @requestDigest;
            DELETE FROM policy_replay_keys WHERE request_digest = @requestDigest;
            DELETE FROM policy_reservations WHERE request_digest = @requestDigest;
            """, new { requestDigest }, transaction).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            INSERT INTO policy_reservations (request_digest, wallet, chain, payload_digest, intent, policy_version, reserved_at)
            VALUES (@requestDigest, @wallet, @chain, @payload, @intent, @policyVersion, @at)
            """,
            new
            {
                requestDigest, wallet, chain, payload = request.PayloadDigest.ToLowerInvariant(),
                intent = request.Intent is null ? null : IntentJson.Write(request.Intent), policyVersion, at,
            },
            transaction).ConfigureAwait(false);
        foreach (var (asset, amount) in PolicyEvaluator.Spending(request))
        {
            var l = AmountLimbs.Split(amount);
            await connection.ExecuteAsync(
                """
                INSERT INTO policy_velocity (request_digest, wallet, chain, asset, amount, l0, l1, l2, l3, l4, l5, l6, l7, at, counted)
                VALUES (@requestDigest, @wallet, @chain, @asset, @amount, @l0, @l1, @l2, @l3, @l4, @l5, @l6, @l7, @at, 1)
                """,
                new
                {
                    requestDigest, wallet, chain, asset, amount = amount.ToString(CultureInfo.InvariantCulture),
                    l0 = l[0], l1 = l[1], l2 = l[2], l3 = l[3], l4 = l[4], l5 = l[5], l6 = l[6], l7 = l[7], at,
                },
                transaction).ConfigureAwait(false);
        }
        foreach (var replayKey in (request.Intent?.ReplayKeys ?? []).Distinct(StringComparer.Ordinal))
            await connection.ExecuteAsync(
                "INSERT INTO policy_replay_keys (wallet, chain, replay_key, request_digest, payload_digest) VALUES (@wallet, @chain, @replayKey, @requestDigest, @payload)",
                new { wallet, chain, replayKey, requestDigest, payload = request.PayloadDigest.ToLowerInvariant() }, transaction).ConfigureAwait(false);
        var superseded = replaces.Distinct(StringComparer.Ordinal).ToArray();
        await connection.ExecuteAsync(
            "UPDATE policy_reservations SET superseded_by = @requestDigest WHERE request_digest IN @superseded AND superseded_by IS NULL",
            new { requestDigest, superseded }, transaction).ConfigureAwait(false);
        await RecountAsync(connection, transaction, superseded).ConfigureAwait(false);
    }

    /// <summary>Brings the ledger's counted flags in line with the reservations' state.</summary>
    private static Task RecountAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyCollection<string> requestDigests) =>
        connection.ExecuteAsync(
            """
            UPDATE policy_velocity SET counted = (
                SELECT r.released_at IS NULL AND r.superseded_by IS NULL
                FROM policy_reservations r WHERE r.request_digest = policy_velocity.request_digest)
            WHERE request_digest IN @requestDigests
            """,
            new { requestDigests }, transaction);

    /// <summary>Releases a held reservation and restores what it had superseded; true when one was held.</summary>
    public static async Task<bool> ReleaseAsync(SqliteConnection connection, SqliteTransaction transaction, string requestDigest, DateTimeOffset now)
    {
        var released = await connection.ExecuteAsync(
            "UPDATE policy_reservations SET released_at = @at WHERE request_digest = @requestDigest AND released_at IS NULL",
            new { requestDigest, at = now.ToUnixTimeMilliseconds() }, transaction).ConfigureAwait(false);
        var restored = (await connection.QueryAsync<string>(
            "SELECT request_digest FROM policy_reservations WHERE superseded_by = @requestDigest",
            new { requestDigest }, transaction).ConfigureAwait(false)).ToArray();
        await connection.ExecuteAsync(
            "UPDATE policy_reservations SET superseded_by = NULL WHERE superseded_by = @requestDigest",
            new { requestDigest }, transaction).ConfigureAwait(false);
        await RecountAsync(connection, transaction, [requestDigest, .. restored]).ConfigureAwait(false);
        return released > 0;
    }

    private sealed class WindowRow
    {
        public long Count { get; set; }
        public long S0 { get; set; }
        public long S1 { get; set; }
        public long S2 { get; set; }
        public long S3 { get; set; }
        public long S4 { get; set; }
        public long S5 { get; set; }
        public long S6 { get; set; }
        public long S7 { get; set; }
    }

    private sealed class PriorRow
    {
        public string RequestDigest { get; set; } = "";
        public string PayloadDigest { get; set; } = "";
        public string? Intent { get; set; }
    }
}

/// <summary>A held reservation sharing a replay key, with its request digest (to mark it superseded).</summary>
internal sealed record PriorReservation(string RequestDigest, PriorSigning Signing);
