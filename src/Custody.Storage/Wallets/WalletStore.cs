using System.Security.Cryptography;
using Custody.Core.Chains;
using Custody.Storage.Sqlite;
using Dapper;

namespace Custody.Storage.Wallets;

/// <summary>
/// Wallets, their account xpubs (public, so addresses need no unsealing), and the
/// counters behind "next unused address".
/// </summary>
public sealed class WalletStore
{
    private const string Schema = """
        CREATE TABLE wallets (
            wallet_id           TEXT PRIMARY KEY,
            name                TEXT NOT NULL,
            kind                TEXT NOT NULL CHECK (kind IN ('hd', 'hsm-native')),
            curve               TEXT CHECK (curve IN ('secp256k1', 'ed25519')),
            sealed_seed         BLOB,
            kek_version         INTEGER,
            hsm_key_id          TEXT,
            public_key          BLOB,
            master_fingerprint  INTEGER,
            created_at          INTEGER NOT NULL,
            CHECK ((kind = 'hd' AND sealed_seed IS NOT NULL AND kek_version IS NOT NULL)
                OR (kind = 'hsm-native' AND hsm_key_id IS NOT NULL AND public_key IS NOT NULL AND curve IS NOT NULL))
        );
        CREATE TABLE account_xpubs (
            wallet_id     TEXT NOT NULL REFERENCES wallets (wallet_id),
            account_path  TEXT NOT NULL,
            xpub          TEXT NOT NULL,
            PRIMARY KEY (wallet_id, account_path)
        ) WITHOUT ROWID;
        CREATE TABLE address_counters (
            wallet_id    TEXT NOT NULL REFERENCES wallets (wallet_id),
            chain        TEXT NOT NULL,
            branch_path  TEXT NOT NULL,
            next_index   INTEGER NOT NULL,
            PRIMARY KEY (wallet_id, chain, branch_path)
        ) WITHOUT ROWID;
        """;

    private const string Columns = "wallet_id, name, kind, curve, sealed_seed, kek_version, hsm_key_id, public_key, master_fingerprint, created_at";

    private readonly SqliteDatabase _db;

    public WalletStore(SqliteDatabase db)
    {
        _db = db;
        using var connection = _db.Open();
        SqliteSchema.Apply(connection, "wallets", [Schema]);
    }

    /// <summary>A fresh wallet id: "w_" and 24 hex digits (96 random bits).</summary>
    public static string NewWalletId() => "w_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public async Task InsertAsync(WalletRecord wallet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        await using var connection = _db.Open();
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO wallets ({Columns}) VALUES (@id, @name, @kind, @curve, @seed, @kek, @keyId, @pub, @fp, @created)",
            new
            {
                id = wallet.WalletId,
                name = wallet.Name,
                kind = KindText(wallet.Kind),
                curve = wallet.Curve is { } c ? CurveText(c) : null,
                seed = wallet.SealedSeed,
                kek = wallet.KekVersion,
                keyId = wallet.HsmKeyId,
                pub = wallet.PublicKey,
                fp = wallet.MasterFingerprint is { } f ? (long?)f : null,
                created = wallet.CreatedAt.ToUnixTimeMilliseconds(),
            }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<WalletRecord?> GetAsync(string walletId, CancellationToken cancellationToken)
    {
        await using var connection = _db.Open();
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM wallets WHERE wallet_id = @walletId", new { walletId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <summary>Up to <paramref name="limit"/> wallets with ids after <paramref name="afterId"/>, by id.</summary>
    public async Task<IReadOnlyList<WalletRecord>> ListAsync(string? afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = _db.Open();
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM wallets WHERE wallet_id > @after ORDER BY wallet_id LIMIT @limit",
            new { after = afterId ?? "", limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRecord())];
    }

    public async Task<string?> GetAccountXpubAsync(string walletId, string accountPath, CancellationToken cancellationToken)
    {
        await using var connection = _db.Open();
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT xpub FROM account_xpubs WHERE wallet_id = @walletId AND account_path = @accountPath",
            new { walletId, accountPath }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Remembers an account xpub; the first one stored wins (they are equal anyway).</summary>
    public async Task SaveAccountXpubAsync(string walletId, string accountPath, string xpub, CancellationToken cancellationToken)
    {
        await using var connection = _db.Open();
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO account_xpubs (wallet_id, account_path, xpub) VALUES (@walletId, @accountPath, @xpub) ON CONFLICT DO NOTHING",
            new { walletId, accountPath, xpub }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Hands out an address index on a branch (e.g. m/84'/0'/0'/0 of "btc"): the requested one,
    /// or the lowest never handed out. Either way, "next unused" moves past it, atomically.
    /// </summary>
    public async Task<uint> UseIndexAsync(string walletId, string chain, string branchPath, uint? requested, CancellationToken cancellationToken)
    {
        await using var connection = _db.Open();
        // One statement: the upsert is atomic, and RETURNING hands back the new counter.
        var next = await connection.QuerySingleAsync<long>(new CommandDefinition(
            """
            INSERT INTO address_counters (wallet_id, chain, branch_path, next_index)
            VALUES (@walletId, @chain, @branchPath, COALESCE(@requested, 0) + 1)
            ON CONFLICT (wallet_id, chain, branch_path) DO UPDATE SET next_index =
                CASE WHEN @requested IS NULL THEN next_index + 1 ELSE MAX(next_index, @requested + 1) END
            RETURNING next_index
            """,
            new { walletId, chain, branchPath, requested = (long?)requested }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return requested ?? (uint)(next - 1);
    }

    private static string KindText(WalletKind kind) => kind == WalletKind.Hd ? "hd" : "hsm-native";

    private static string CurveText(KeyCurve curve) => curve == KeyCurve.Secp256k1 ? "secp256k1" : "ed25519";

    private sealed record Row(
        string wallet_id, string name, string kind, string? curve, byte[]? sealed_seed, long? kek_version,
        string? hsm_key_id, byte[]? public_key, long? master_fingerprint, long created_at)
    {
        public WalletRecord ToRecord() => new(
            wallet_id, name,
            kind == "hd" ? WalletKind.Hd : WalletKind.HsmNative,
            curve switch { "secp256k1" => KeyCurve.Secp256k1, "ed25519" => KeyCurve.Ed25519, _ => null },
            sealed_seed, (int?)kek_version, hsm_key_id, public_key,
            (uint?)master_fingerprint,
            DateTimeOffset.FromUnixTimeMilliseconds(created_at));
    }
}
