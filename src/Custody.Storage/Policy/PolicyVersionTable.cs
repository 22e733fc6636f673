using System.Collections.Concurrent;
using Custody.Core.Policy;
using Custody.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Policy;

/// <summary>
/// Append-only policy versions. A version number is unique across scopes; a request is judged
/// by the newest version of its wallet in force when it arrived, else the newest global one.
/// Parsed documents are cached by version: a stored version never changes.
/// </summary>
internal sealed class PolicyVersionTable
{
    private readonly ConcurrentDictionary<long, VersionedPolicy> _parsed = new();

    public async Task<long> AppendAsync(SqliteConnection connection, SqliteTransaction transaction,
        PolicyScope scope, string canonicalDocument, DateTimeOffset effectiveFrom, string publishedBy) =>
        await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO policy_versions (scope, document, effective_from, published_by)
            VALUES (@scope, @document, @effectiveFrom, @publishedBy);
            SELECT last_insert_rowid();
            """,
            new { scope = scope.ToString(), document = canonicalDocument, effectiveFrom = effectiveFrom.ToUnixTimeMilliseconds(), publishedBy },
            transaction).ConfigureAwait(false);

    /// <summary>The version in force for the wallet at <paramref name="at"/>; its document is read only the first time (versions never change).</summary>
    public async Task<VersionedPolicy?> InForceAsync(Sql sql, string walletId, DateTimeOffset at)
    {
        var version = sql.Scalar<long?>(
            """
            SELECT version FROM policy_versions
            WHERE scope IN (@wallet, 'global') AND effective_from <= @at
            ORDER BY scope = @wallet DESC, version DESC
            LIMIT 1
            """,
            ("@wallet", PolicyScope.Wallet(walletId).ToString()), ("@at", at.ToUnixTimeMilliseconds()));
        return version is { } v ? await GetAsync(sql.Connection, sql.Transaction, v).ConfigureAwait(false) : null;
    }

    public async Task<VersionedPolicy?> GetAsync(SqliteConnection connection, SqliteTransaction? transaction, long version)
    {
        if (_parsed.TryGetValue(version, out var cached)) return cached;
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            "SELECT version AS Version, scope AS Scope, document AS Document, effective_from AS EffectiveFrom FROM policy_versions WHERE version = @version",
            new { version }, transaction).ConfigureAwait(false);
        return row is null ? null : Parse(row);
    }

    /// <summary>The newest version of exactly this scope (no global fallback), whatever its time.</summary>
    public async Task<(long Version, string Document)?> LatestAsync(SqliteConnection connection, SqliteTransaction? transaction, PolicyScope scope)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            """
            SELECT version AS Version, scope AS Scope, document AS Document, effective_from AS EffectiveFrom
            FROM policy_versions WHERE scope = @scope ORDER BY version DESC LIMIT 1
            """,
            new { scope = scope.ToString() }, transaction).ConfigureAwait(false);
        return row is null ? null : (row.Version, row.Document);
    }

    private VersionedPolicy Parse(Row row) => _parsed.GetOrAdd(row.Version, _ => new VersionedPolicy(
        row.Version,
        PolicyScope.Parse(row.Scope),
        PolicyJson.Parse(row.Document),
        DateTimeOffset.FromUnixTimeMilliseconds(row.EffectiveFrom)));

    private sealed class Row
    {
        public long Version { get; set; }
        public string Scope { get; set; } = "";
        public string Document { get; set; } = "";
        public long EffectiveFrom { get; set; }
    }
}
