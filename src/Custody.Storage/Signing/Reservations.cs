using Custody.Core.Chains;
using Custody.Core.Policy;
using Custody.Storage.Data;
using Custody.Storage.Engine;

namespace Custody.Storage.Signing;

/// <summary>
/// What was signed, and the memory of conflict protection: each signed request's reservation (its
/// payload and decoded intent), its conflict keys and its velocity rows, written in the commit that
/// releases the signature. Transactions that share a replay key form a conflict group, in which each
/// shares a key with every other (the evaluator sees to that), so at most one confirms: a key belongs
/// to exactly one group (its primary key says so), and velocity counts only a group's newest member.
/// </summary>
internal static class Reservations
{
    /// <summary>Every member of the groups <paramref name="replayKeys"/> lead to, oldest first.</summary>
    public static List<GroupMember> Groups(Sql sql, string walletId, string chain, IReadOnlyList<string> replayKeys)
    {
        var groups = new SortedSet<long>();
        foreach (var key in replayKeys.Distinct(StringComparer.Ordinal))
        {
            if (sql.Scalar<long?>("SELECT group_id FROM conflict_keys WHERE wallet = @wallet AND chain = @chain AND conflict_key = @key",
                    ("@wallet", walletId), ("@chain", chain), ("@key", key)) is { } group)
                groups.Add(group);
        }
        var members = new List<GroupMember>();
        foreach (var group in groups)
        {
            members.AddRange(sql.Query("SELECT id, payload_digest, intent FROM reservations WHERE group_id = @group ORDER BY id",
                r => new GroupMember(r.GetInt64(0), group, r.GetString(1), r.NullableString(2) is { } intent ? IntentJson.Parse(intent) : null),
                ("@group", group)));
        }
        return members;
    }

    /// <summary>
    /// Records a signed request: its reservation, in <paramref name="group"/>'s conflict group (or a new
    /// one), its conflict keys and velocity; the group's earlier members stop counting.
    /// </summary>
    public static void Reserve(Sql sql, LedgerEngine engine, SigningRequest request, string requestDigest, long policyVersion,
        IReadOnlyList<GroupMember> group, DateTimeOffset now)
    {
        var wallet = request.WalletId;
        var chain = request.Chain.Id;
        var id = sql.Scalar<long>(
            """
            INSERT INTO reservations (request_digest, wallet, chain, payload_digest, signer, intent, policy_version, reserved_at)
            VALUES (@digest, @wallet, @chain, @payload, @signer, @intent, @version, @at) RETURNING id
            """,
            ("@digest", requestDigest), ("@wallet", wallet), ("@chain", chain), ("@payload", request.PayloadDigest.ToLowerInvariant()),
            ("@signer", request.Signer?.ToString()), ("@intent", request.Intent is null ? null : IntentJson.Write(request.Intent)),
            ("@version", policyVersion), ("@at", Rows.Millis(now)));
        var groupId = group.Count > 0 ? group[0].Group : id;
        sql.Execute("UPDATE reservations SET group_id = @group WHERE id = @id", ("@group", groupId), ("@id", id));
        foreach (var key in (request.Intent?.ReplayKeys ?? []).Distinct(StringComparer.Ordinal))
        {
            sql.Execute(
                "INSERT INTO conflict_keys (wallet, chain, conflict_key, group_id) VALUES (@wallet, @chain, @key, @group) ON CONFLICT (wallet, chain, conflict_key) DO NOTHING",
                ("@wallet", wallet), ("@chain", chain), ("@key", key), ("@group", groupId));
        }
        // Only one transaction of a group can confirm: the newest stands for it.
        foreach (var member in group) Velocity.StopCounting(sql, engine, member.Id);
        foreach (var (asset, amount) in PolicyEvaluator.Spending(request))
            Velocity.Add(sql, engine, id, wallet, chain, asset, amount, now);
    }
}

/// <summary>A signed transaction in a conflict group.</summary>
internal sealed record GroupMember(long Id, long Group, string PayloadDigest, TransactionIntent? Intent);
