using System.Numerics;
using Custody.Core.Policy;
using Custody.Storage.Data;
using Custody.Storage.Engine;

namespace Custody.Storage.Signing;

/// <summary>
/// The velocity ledger: one row per signed transaction and asset (amount, time, whether it still
/// counts), and running totals, one row per (wallet, chain, asset, window): the count and sum of the
/// counted rows newer than the total's lower bound <c>since_ms</c>. A judgement moves the bound to its
/// own <c>now − window</c> and reads only the rows between the old and the new bound, so its cost
/// follows the traffic since the previous one, not the size of the window (summing a day of ledger
/// per request made a 24 h limit slow down every signature as the day filled). Exact: every change of
/// a row's counted flag adjusts the totals it is inside, in the same transaction. Amounts are summed
/// here, exactly, whatever the engine stores them as.
/// </summary>
internal static class Velocity
{
    /// <summary>
    /// Velocity used in (now − window, now] per key, leaving out <paramref name="exclude"/> (the
    /// reservations the request would supersede). <paramref name="persist"/>: move the running totals
    /// to this bound (false when judging on a read-only snapshot, which computes the same answer).
    /// </summary>
    public static Dictionary<VelocityKey, VelocityTotal> Usage(Sql sql, LedgerEngine engine, string walletId, IReadOnlyList<VelocityKey> keys,
        DateTimeOffset now, IReadOnlyCollection<long> exclude, bool persist)
    {
        var usage = new Dictionary<VelocityKey, VelocityTotal>();
        foreach (var key in keys) usage[key] = UsageOf(sql, engine, walletId, key, now, exclude, persist);
        return usage;
    }

    private static VelocityTotal UsageOf(Sql sql, LedgerEngine engine, string walletId, VelocityKey key, DateTimeOffset now, IReadOnlyCollection<long> exclude, bool persist)
    {
        var since = Rows.Millis(now - key.Window);
        var window = (long)key.Window.TotalMilliseconds;
        var running = sql.First(
            "SELECT since_ms, count, total FROM velocity_windows WHERE wallet = @wallet AND chain = @chain AND asset = @asset AND window_ms = @window",
            r => ((long Since, VelocityTotal Total)?)(r.GetInt64(0), new VelocityTotal(engine.ReadAmount(r, 2), r.GetInt64(1))),
            ("@wallet", walletId), ("@chain", key.Chain), ("@asset", key.Asset), ("@window", window));
        VelocityTotal total;
        if (running is not { } kept)
            total = Sum(sql, engine, walletId, key, since, null);
        else if (since > kept.Since)
            total = Minus(kept.Total, Sum(sql, engine, walletId, key, kept.Since, since));
        else if (since < kept.Since)
            total = Plus(kept.Total, Sum(sql, engine, walletId, key, since, kept.Since)); // the clock went back: rows that had left are inside again
        else
            total = kept.Total;
        if (persist && since != running?.Since)
        {
            sql.Execute(
                """
                INSERT INTO velocity_windows (wallet, chain, asset, window_ms, since_ms, count, total)
                VALUES (@wallet, @chain, @asset, @window, @since, @count, @total)
                ON CONFLICT (wallet, chain, asset, window_ms) DO UPDATE SET since_ms = excluded.since_ms, count = excluded.count, total = excluded.total
                """,
                ("@wallet", walletId), ("@chain", key.Chain), ("@asset", key.Asset), ("@window", window), ("@since", since),
                ("@count", total.Count), ("@total", engine.Amount(total.Sum)));
        }
        foreach (var reservation in exclude)
        {
            foreach (var amount in sql.Query(
                "SELECT amount FROM velocity WHERE reservation_id = @id AND asset = @asset AND chain = @chain AND counted = 1 AND at > @since",
                r => engine.ReadAmount(r, 0), ("@id", reservation), ("@asset", key.Asset), ("@chain", key.Chain), ("@since", since)))
            {
                total = Minus(total, new VelocityTotal(amount, 1));
            }
        }
        return total;
    }

    /// <summary>Records what a signed transaction sends of one asset; it counts from now.</summary>
    public static void Add(Sql sql, LedgerEngine engine, long reservationId, string walletId, string chain, string asset, BigInteger amount, DateTimeOffset at)
    {
        sql.Execute(
            "INSERT INTO velocity (reservation_id, wallet, chain, asset, amount, at, counted) VALUES (@id, @wallet, @chain, @asset, @amount, @at, 1)",
            ("@id", reservationId), ("@wallet", walletId), ("@chain", chain), ("@asset", asset), ("@amount", engine.Amount(amount)), ("@at", Rows.Millis(at)));
        Adjust(sql, engine, walletId, chain, asset, amount, Rows.Millis(at), 1);
    }

    /// <summary>A reservation stops counting (a transaction that can no longer confirm beside the one that superseded it).</summary>
    public static void StopCounting(Sql sql, LedgerEngine engine, long reservationId)
    {
        var rows = sql.Query("SELECT wallet, chain, asset, amount, at FROM velocity WHERE reservation_id = @id AND counted = 1",
            r => (Wallet: r.GetString(0), Chain: r.GetString(1), Asset: r.GetString(2), Amount: engine.ReadAmount(r, 3), At: r.GetInt64(4)),
            ("@id", reservationId));
        if (rows.Count == 0) return;
        sql.Execute("UPDATE velocity SET counted = 0 WHERE reservation_id = @id", ("@id", reservationId));
        foreach (var row in rows) Adjust(sql, engine, row.Wallet, row.Chain, row.Asset, row.Amount, row.At, -1);
    }

    // Every running total the row falls inside moves with it.
    private static void Adjust(Sql sql, LedgerEngine engine, string walletId, string chain, string asset, BigInteger amount, long at, int sign)
    {
        var windows = sql.Query(
            "SELECT window_ms, count, total FROM velocity_windows WHERE wallet = @wallet AND chain = @chain AND asset = @asset AND since_ms < @at",
            r => (Window: r.GetInt64(0), Total: new VelocityTotal(engine.ReadAmount(r, 2), r.GetInt64(1))),
            ("@wallet", walletId), ("@chain", chain), ("@asset", asset), ("@at", at));
        foreach (var (window, total) in windows)
        {
            var moved = sign > 0 ? Plus(total, new VelocityTotal(amount, 1)) : Minus(total, new VelocityTotal(amount, 1));
            sql.Execute(
                "UPDATE velocity_windows SET count = @count, total = @total WHERE wallet = @wallet AND chain = @chain AND asset = @asset AND window_ms = @window",
                ("@count", moved.Count), ("@total", engine.Amount(moved.Sum)), ("@wallet", walletId), ("@chain", chain), ("@asset", asset), ("@window", window));
        }
    }

    private static VelocityTotal Sum(Sql sql, LedgerEngine engine, string walletId, VelocityKey key, long after, long? upTo)
    {
        var amounts = upTo is { } to
            ? sql.Query("SELECT amount FROM velocity WHERE wallet = @wallet AND chain = @chain AND asset = @asset AND at > @after AND at <= @to AND counted = 1",
                r => engine.ReadAmount(r, 0), ("@wallet", walletId), ("@chain", key.Chain), ("@asset", key.Asset), ("@after", after), ("@to", to))
            : sql.Query("SELECT amount FROM velocity WHERE wallet = @wallet AND chain = @chain AND asset = @asset AND at > @after AND counted = 1",
                r => engine.ReadAmount(r, 0), ("@wallet", walletId), ("@chain", key.Chain), ("@asset", key.Asset), ("@after", after));
        var sum = BigInteger.Zero;
        foreach (var amount in amounts) sum += amount;
        return new VelocityTotal(sum, amounts.Count);
    }

    private static VelocityTotal Plus(VelocityTotal a, VelocityTotal b) => new(a.Sum + b.Sum, a.Count + b.Count);

    private static VelocityTotal Minus(VelocityTotal a, VelocityTotal b) => new(a.Sum - b.Sum, a.Count - b.Count);
}
