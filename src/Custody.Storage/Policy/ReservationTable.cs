using System.Globalization;
using Custody.Core.Policy;
using Custody.Storage.Sqlite;

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
    /// <summary>Whether this request holds a reservation (an idempotent retry), held one once and released it, or never held one.</summary>
    public static ReservationState State(Sql sql, string requestDigest) =>
        sql.Scalar<long?>("SELECT released_at IS NULL FROM policy_reservations WHERE request_digest = @requestDigest", ("@requestDigest", requestDigest)) switch
        {
            null => ReservationState.None,
            1 => ReservationState.Held,
            _ => ReservationState.Released,
        };

    /// <summary>
    /// Velocity used per key by the wallet's held, not superseded reservations in (now − window, now],
    /// leaving out the given requests (the request itself on a retry, and those it would replace).
    /// <paramref name="persist"/> is false in a read-only dry run.
    /// </summary>
    public static Dictionary<VelocityKey, VelocityTotal> Usage(Sql sql,
        string walletId, IReadOnlyList<VelocityKey> keys, DateTimeOffset now, IReadOnlyCollection<string> excludeRequestDigests, bool persist)
    {
        var usage = new Dictionary<VelocityKey, VelocityTotal>();
        if (keys.Count == 0) return usage;
        var exclude = Sql.JsonList(excludeRequestDigests);
        foreach (var key in keys) usage[key] = VelocityWindows.Usage(sql, walletId, key, now, exclude, persist);
        return usage;
    }

    /// <summary>Held reservations of the wallet that share one of these replay keys.</summary>
    public static IReadOnlyList<PriorReservation> Prior(Sql sql, string walletId, string chain, IReadOnlyList<string> replayKeys, string excludeRequestDigest)
    {
        var prior = new List<PriorReservation>();
        foreach (var replayKey in replayKeys.Distinct(StringComparer.Ordinal))
        {
            prior.AddRange(sql.Query(
                """
                SELECT k.request_digest, k.payload_digest, r.intent
                FROM policy_replay_keys k JOIN policy_reservations r ON r.request_digest = k.request_digest
                WHERE k.wallet = @walletId AND k.chain = @chain AND k.replay_key = @replayKey
                  AND r.released_at IS NULL AND k.request_digest <> @excludeRequestDigest
                ORDER BY r.reserved_at
                """,
                r => new PriorReservation(r.GetString(0),
                    new PriorSigning(replayKey, r.GetString(1), r.IsDBNull(2) ? null : IntentJson.Parse(r.GetString(2)))),
                ("@walletId", walletId), ("@chain", chain), ("@replayKey", replayKey), ("@excludeRequestDigest", excludeRequestDigest)));
        }
        return prior;
    }

    /// <summary>
    /// Holds the request's spending and replay keys; marks the reservations it replaces as superseded.
    /// <paramref name="state"/> is the request's own <see cref="State"/>: a released reservation of it is replaced whole.
    /// </summary>
    public static void Reserve(Sql sql, string requestDigest, ReservationState state,
        SigningRequest request, long policyVersion, IEnumerable<string> replaces, DateTimeOffset now)
    {
        var at = now.ToUnixTimeMilliseconds();
        var wallet = request.WalletId;
        var chain = request.Chain.Id;
        var payload = request.PayloadDigest.ToLowerInvariant();
        if (state == ReservationState.Released)
        {
            sql.Execute("DELETE FROM policy_velocity WHERE request_digest = @requestDigest", ("@requestDigest", requestDigest));
            sql.Execute("DELETE FROM policy_replay_keys WHERE request_digest = @requestDigest", ("@requestDigest", requestDigest));
            sql.Execute("DELETE FROM policy_reservations WHERE request_digest = @requestDigest", ("@requestDigest", requestDigest));
        }
        sql.Execute(
            """
            INSERT INTO policy_reservations (request_digest, wallet, chain, payload_digest, intent, policy_version, reserved_at)
            VALUES (@requestDigest, @wallet, @chain, @payload, @intent, @policyVersion, @at)
            """,
            ("@requestDigest", requestDigest), ("@wallet", wallet), ("@chain", chain), ("@payload", payload),
            ("@intent", request.Intent is null ? null : IntentJson.Write(request.Intent)), ("@policyVersion", policyVersion), ("@at", at));
        foreach (var (asset, amount) in PolicyEvaluator.Spending(request))
        {
            var l = AmountLimbs.Split(amount);
            sql.Execute(
                """
                INSERT INTO policy_velocity (request_digest, wallet, chain, asset, amount, l0, l1, l2, l3, l4, l5, l6, l7, at, counted)
                VALUES (@requestDigest, @wallet, @chain, @asset, @amount, @l0, @l1, @l2, @l3, @l4, @l5, @l6, @l7, @at, 1)
                """,
                ("@requestDigest", requestDigest), ("@wallet", wallet), ("@chain", chain), ("@asset", asset),
                ("@amount", amount.ToString(CultureInfo.InvariantCulture)),
                ("@l0", l[0]), ("@l1", l[1]), ("@l2", l[2]), ("@l3", l[3]), ("@l4", l[4]), ("@l5", l[5]), ("@l6", l[6]), ("@l7", l[7]), ("@at", at));
        }
        VelocityWindows.Apply(sql, [requestDigest], 1);
        foreach (var replayKey in (request.Intent?.ReplayKeys ?? []).Distinct(StringComparer.Ordinal))
            sql.Execute(
                "INSERT INTO policy_replay_keys (wallet, chain, replay_key, request_digest, payload_digest) VALUES (@wallet, @chain, @replayKey, @requestDigest, @payload)",
                ("@wallet", wallet), ("@chain", chain), ("@replayKey", replayKey), ("@requestDigest", requestDigest), ("@payload", payload));
        var superseded = replaces.Distinct(StringComparer.Ordinal).ToArray();
        if (superseded.Length == 0) return;
        sql.Execute(
            "UPDATE policy_reservations SET superseded_by = @requestDigest WHERE request_digest IN (SELECT value FROM json_each(@superseded)) AND superseded_by IS NULL",
            ("@requestDigest", requestDigest), ("@superseded", Sql.JsonList(superseded)));
        Recount(sql, superseded);
    }

    /// <summary>Brings the ledger's counted flags in line with the reservations' state, and the running totals with them.</summary>
    private static void Recount(Sql sql, IReadOnlyCollection<string> requestDigests)
    {
        VelocityWindows.Apply(sql, requestDigests, -1);
        sql.Execute(
            """
            UPDATE policy_velocity SET counted = (
                SELECT r.released_at IS NULL AND r.superseded_by IS NULL
                FROM policy_reservations r WHERE r.request_digest = policy_velocity.request_digest)
            WHERE request_digest IN (SELECT value FROM json_each(@requestDigests))
            """,
            ("@requestDigests", Sql.JsonList(requestDigests)));
        VelocityWindows.Apply(sql, requestDigests, 1);
    }

    /// <summary>Releases a held reservation and restores what it had superseded; true when one was held.</summary>
    public static bool Release(Sql sql, string requestDigest, DateTimeOffset now)
    {
        var released = sql.Execute(
            "UPDATE policy_reservations SET released_at = @at WHERE request_digest = @requestDigest AND released_at IS NULL",
            ("@requestDigest", requestDigest), ("@at", now.ToUnixTimeMilliseconds()));
        var restored = sql.Query("SELECT request_digest FROM policy_reservations WHERE superseded_by = @requestDigest",
            r => r.GetString(0), ("@requestDigest", requestDigest));
        sql.Execute("UPDATE policy_reservations SET superseded_by = NULL WHERE superseded_by = @requestDigest", ("@requestDigest", requestDigest));
        Recount(sql, [requestDigest, .. restored]);
        return released > 0;
    }
}

/// <summary>A request's reservation: none, held (signed or signing), or released (nothing was signed).</summary>
internal enum ReservationState
{
    None,
    Held,
    Released,
}

/// <summary>A held reservation sharing a replay key, with its request digest (to mark it superseded).</summary>
internal sealed record PriorReservation(string RequestDigest, PriorSigning Signing);
