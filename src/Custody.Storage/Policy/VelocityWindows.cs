using Custody.Core.Policy;
using Custody.Storage.Sqlite;

namespace Custody.Storage.Policy;

/// <summary>
/// Running velocity totals, one row per (wallet, chain, asset, window): the count and limb sums
/// of the counted ledger rows newer than the row's lower bound <c>since_ms</c>. An admission
/// moves the bound to its own <c>now − window</c> and reads only the ledger rows between the
/// old and the new bound, so its cost follows the traffic since the previous admission, not
/// the size of the window (summing a day of ledger per request made a 24 h limit slow down
/// every admission as the day filled). Exact: every change of a ledger row's counted flag
/// adjusts the totals it is inside (<see cref="Apply"/>), in the same transaction.
/// </summary>
internal static class VelocityWindows
{
    private const string Sums = """
        COUNT(*), COALESCE(SUM(l0), 0), COALESCE(SUM(l1), 0), COALESCE(SUM(l2), 0), COALESCE(SUM(l3), 0),
        COALESCE(SUM(l4), 0), COALESCE(SUM(l5), 0), COALESCE(SUM(l6), 0), COALESCE(SUM(l7), 0)
        """;

    private const string Ledger = "FROM policy_velocity WHERE wallet = @wallet AND chain = @chain AND asset = @asset AND counted = 1";

    private const string Since = "SELECT " + Sums + " " + Ledger + " AND at > @since";

    internal const string Between = "SELECT " + Sums + " " + Ledger + " AND at > @from AND at <= @to";

    // Driven from the few excluded requests (CROSS JOIN fixes SQLite's join order): planned from
    // the window index instead, it would read the whole window again.
    internal const string Excluded = "SELECT " + Sums + """
         FROM json_each(@exclude) AS x CROSS JOIN policy_velocity AS v ON v.request_digest = x.value
        WHERE v.wallet = @wallet AND v.chain = @chain AND v.asset = @asset AND v.counted = 1 AND v.at > @since
        """;

    private const string Running = """
        SELECT since_ms, count, l0, l1, l2, l3, l4, l5, l6, l7 FROM policy_velocity_windows
        WHERE wallet = @wallet AND chain = @chain AND asset = @asset AND window_ms = @window
        """;

    private const string Store = """
        INSERT INTO policy_velocity_windows (wallet, chain, asset, window_ms, since_ms, count, l0, l1, l2, l3, l4, l5, l6, l7)
        VALUES (@wallet, @chain, @asset, @window, @since, @count, @l0, @l1, @l2, @l3, @l4, @l5, @l6, @l7)
        ON CONFLICT (wallet, chain, asset, window_ms) DO UPDATE SET since_ms = excluded.since_ms, count = excluded.count,
            l0 = excluded.l0, l1 = excluded.l1, l2 = excluded.l2, l3 = excluded.l3,
            l4 = excluded.l4, l5 = excluded.l5, l6 = excluded.l6, l7 = excluded.l7
        """;

    // One aggregate per running row, so that several ledger rows of one key all count.
    internal const string Adjust = """
        UPDATE policy_velocity_windows AS w
        SET count = w.count + @sign * d.n,
            l0 = w.l0 + @sign * d.s0, l1 = w.l1 + @sign * d.s1, l2 = w.l2 + @sign * d.s2, l3 = w.l3 + @sign * d.s3,
            l4 = w.l4 + @sign * d.s4, l5 = w.l5 + @sign * d.s5, l6 = w.l6 + @sign * d.s6, l7 = w.l7 + @sign * d.s7
        FROM (SELECT r.wallet, r.chain, r.asset, r.window_ms, COUNT(*) AS n,
                     SUM(v.l0) AS s0, SUM(v.l1) AS s1, SUM(v.l2) AS s2, SUM(v.l3) AS s3,
                     SUM(v.l4) AS s4, SUM(v.l5) AS s5, SUM(v.l6) AS s6, SUM(v.l7) AS s7
              FROM json_each(@digests) AS x
                CROSS JOIN policy_velocity AS v ON v.request_digest = x.value
                CROSS JOIN policy_velocity_windows AS r
                  ON r.wallet = v.wallet AND r.chain = v.chain AND r.asset = v.asset AND v.at > r.since_ms
              WHERE v.counted = 1
              GROUP BY r.wallet, r.chain, r.asset, r.window_ms) AS d
        WHERE w.wallet = d.wallet AND w.chain = d.chain AND w.asset = d.asset AND w.window_ms = d.window_ms
        """;

    /// <summary>
    /// Velocity used in (now − window, now] by the wallet's counted ledger rows, leaving out the
    /// given requests. <paramref name="persist"/>: move the running row to this bound (false in a
    /// read-only dry run, which computes the same answer without writing).
    /// </summary>
    public static VelocityTotal Usage(Sql sql, string walletId, VelocityKey key, DateTimeOffset now, string excludeJson, bool persist)
    {
        var since = (now - key.Window).ToUnixTimeMilliseconds();
        (string, object?)[] id = [("@wallet", walletId), ("@chain", key.Chain), ("@asset", key.Asset)];
        var window = (long)key.Window.TotalMilliseconds;
        var running = sql.First(Running, r => (Since: r.GetInt64(0), Totals: Read(r, 1)), [.. id, ("@window", window)]);
        Limbs totals;
        if (running.Totals is null)
        {
            totals = sql.First(Since, r => Read(r, 0), [.. id, ("@since", since)])!;
        }
        else if (since == running.Since)
        {
            totals = running.Totals;
        }
        else
        {
            var (from, to) = since > running.Since ? (running.Since, since) : (since, running.Since);
            var moved = sql.First(Between, r => Read(r, 0), [.. id, ("@from", from), ("@to", to)])!;
            totals = since > running.Since ? running.Totals.Minus(moved) : running.Totals.Plus(moved);
        }
        if (persist && (running.Totals is null || since != running.Since))
        {
            sql.Execute(Store, [.. id, ("@window", window), ("@since", since), ("@count", totals.Count),
                ("@l0", totals.L[0]), ("@l1", totals.L[1]), ("@l2", totals.L[2]), ("@l3", totals.L[3]),
                ("@l4", totals.L[4]), ("@l5", totals.L[5]), ("@l6", totals.L[6]), ("@l7", totals.L[7])]);
        }
        var excluded = sql.First(Excluded, r => Read(r, 0), [.. id, ("@since", since), ("@exclude", excludeJson)])!;
        var used = totals.Minus(excluded);
        return new VelocityTotal(AmountLimbs.Join(used.L), used.Count);
    }

    /// <summary>
    /// Adds (<paramref name="sign"/> = 1) or takes out (−1) the counted ledger rows of these
    /// requests from every running total they fall inside. Call with −1 before a change of their
    /// counted flags and with 1 after it, and with 1 after inserting new rows.
    /// </summary>
    public static void Apply(Sql sql, IReadOnlyCollection<string> requestDigests, int sign)
    {
        if (requestDigests.Count == 0) return;
        sql.Execute(Adjust, ("@sign", (long)sign), ("@digests", Sql.JsonList(requestDigests)));
    }

    private static Limbs? Read(Microsoft.Data.Sqlite.SqliteDataReader r, int first)
    {
        var limbs = new long[AmountLimbs.Count];
        for (var i = 0; i < limbs.Length; i++) limbs[i] = r.GetInt64(first + 1 + i);
        return new Limbs(r.GetInt64(first), limbs);
    }

    /// <summary>A count and per-limb sums; differences stay exact because joining limbs is linear.</summary>
    private sealed record Limbs(long Count, long[] L)
    {
        public Limbs Plus(Limbs other) => new(Count + other.Count, [.. L.Select((l, i) => l + other.L[i])]);

        public Limbs Minus(Limbs other) => new(Count - other.Count, [.. L.Select((l, i) => l - other.L[i])]);
    }
}
