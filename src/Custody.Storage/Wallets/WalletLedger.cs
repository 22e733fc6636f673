using System.Data.Common;
using System.Globalization;
using Custody.Core.Audit;
using Custody.Core.Chains;
using Custody.Core.Ledger;
using Custody.Storage.Data;
using Custody.Storage.Engine;
using Custody.Storage.Writing;

namespace Custody.Storage.Wallets;

/// <summary>
/// Wallets, their account xpubs (public, so addresses need no unsealing), and the counters behind
/// "next unused address". Creating a wallet, storing an xpub, handing out an index and resealing
/// seeds are changes, each with its record.
/// </summary>
internal sealed class WalletLedger(Readers readers, LedgerWriter writer) : IWalletLedger
{
    private const string AccountColumns = "wallet_id, name, chain, descriptor, created_at";
    private const string Columns = "wallet_id, name, kind, curve, sealed_seed, kek_version, hsm_key_id, public_key, master_fingerprint, created_at, backup";

    public Task CreateAsync(WalletRecord wallet, string principal, IReadOnlyDictionary<string, string> details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        ArgumentNullException.ThrowIfNull(details);
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        return writer.CommitAsync(LockSet.None, tx =>
        {
            tx.Sql.Execute(
                $"INSERT INTO wallets ({Columns}) VALUES (@id, @name, @kind, @curve, @seed, @kek, @keyId, @pub, @fp, @created, @backup)",
                ("@id", wallet.WalletId), ("@name", wallet.Name), ("@kind", KindText(wallet.Kind)), ("@curve", wallet.Curve is { } c ? CurveText(c) : null),
                ("@seed", wallet.SealedSeed), ("@kek", (long?)wallet.KekVersion), ("@keyId", wallet.HsmKeyId), ("@pub", wallet.PublicKey),
                ("@fp", (long?)wallet.MasterFingerprint), ("@created", Rows.Millis(wallet.CreatedAt)),
                ("@backup", WalletBackups.Text(wallet.Backup)));
            var recorded = new Dictionary<string, string>(details, StringComparer.Ordinal)
            {
                ["name"] = wallet.Name,
                ["kind"] = KindText(wallet.Kind),
                ["backup"] = WalletBackups.Text(wallet.Backup),
            };
            if (wallet.Curve is { } curve) recorded["curve"] = CurveText(curve);
            if (wallet.MasterFingerprint is { } fingerprint) recorded["fingerprint"] = fingerprint.ToString("x8", CultureInfo.InvariantCulture);
            if (wallet.KekVersion is { } kek) recorded["kek"] = $"v{kek}";
            tx.Record(new AuditRecord { Principal = principal, Action = AuditActions.WalletCreated, WalletId = wallet.WalletId, Details = recorded });
            return true;
        });
    }

    public Task<WalletRecord?> GetAsync(string walletId, CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(sql => sql.First($"SELECT {Columns} FROM wallets WHERE wallet_id = @id", Read, ("@id", walletId))));

    public Task<IReadOnlyList<WalletRecord>> ListAsync(string? afterId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WalletRecord>>(readers.Read(sql =>
            sql.Query($"SELECT {Columns} FROM wallets WHERE wallet_id > @after ORDER BY wallet_id LIMIT @limit", Read,
                ("@after", afterId ?? ""), ("@limit", (long)limit))));

    public Task<string?> GetAccountXpubAsync(string walletId, string accountPath, CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(sql => sql.First("SELECT xpub FROM account_xpubs WHERE wallet_id = @id AND account_path = @path",
            r => r.GetString(0), ("@id", walletId), ("@path", accountPath))));

    public Task SaveAccountXpubAsync(string walletId, string accountPath, string xpub, string principal, CancellationToken cancellationToken) =>
        writer.CommitAsync(LockSet.None, tx =>
        {
            var stored = tx.Sql.Execute(
                "INSERT INTO account_xpubs (wallet_id, account_path, xpub) VALUES (@id, @path, @xpub) ON CONFLICT (wallet_id, account_path) DO NOTHING",
                ("@id", walletId), ("@path", accountPath), ("@xpub", xpub)) == 1;
            if (stored)
                tx.Record(new AuditRecord
                {
                    Principal = principal, Action = AuditActions.AccountXpubStored, WalletId = walletId,
                    Details = new Dictionary<string, string> { ["path"] = accountPath, ["xpub"] = xpub },
                });
            return stored;
        });

    public Task<uint> UseIndexAsync(string walletId, string chain, string branchPath, uint? requested, string principal, CancellationToken cancellationToken) =>
        writer.CommitAsync(LockSet.Wallet(walletId), tx =>
        {
            // One statement: the upsert is atomic, and RETURNING hands back the new counter.
            var next = tx.Sql.Scalar<long>(
                """
                INSERT INTO address_counters (wallet_id, chain, branch_path, next_index)
                VALUES (@id, @chain, @branch, @first)
                ON CONFLICT (wallet_id, chain, branch_path) DO UPDATE SET next_index =
                    CASE WHEN @next < 0 THEN address_counters.next_index + 1
                         WHEN address_counters.next_index > @next THEN address_counters.next_index ELSE @next END
                RETURNING next_index
                """,
                ("@id", walletId), ("@chain", chain), ("@branch", branchPath), ("@first", requested is { } r ? r + 1L : 1L),
                ("@next", requested is { } q ? q + 1L : -1L));
            var used = requested ?? (uint)(next - 1);
            tx.Record(new AuditRecord
            {
                Principal = principal, Action = AuditActions.AddressIndexUsed, WalletId = walletId, Chain = chain,
                Details = new Dictionary<string, string> { ["branch"] = branchPath, ["index"] = used.ToString(CultureInfo.InvariantCulture) },
            });
            return used;
        });

    public Task<bool> CreateAccountAsync(AccountRecord account, string principal, IReadOnlyDictionary<string, string> details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(details);
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        return writer.CommitAsync(LockSet.Wallet(account.WalletId), tx =>
        {
            var stored = tx.Sql.Execute(
                $"INSERT INTO wallet_accounts ({AccountColumns}) VALUES (@id, @name, @chain, @descriptor, @created) ON CONFLICT (wallet_id, name) DO NOTHING",
                ("@id", account.WalletId), ("@name", account.Name), ("@chain", account.Chain), ("@descriptor", account.Descriptor),
                ("@created", Rows.Millis(account.CreatedAt))) == 1;
            if (stored)
                tx.Record(new AuditRecord
                {
                    Principal = principal, Action = AuditActions.AccountCreated, WalletId = account.WalletId, Chain = account.Chain,
                    Details = new Dictionary<string, string>(details, StringComparer.Ordinal) { ["account"] = account.Name, ["descriptor"] = account.Descriptor },
                });
            return stored;
        });
    }

    public Task<AccountRecord?> GetAccountAsync(string walletId, string name, CancellationToken cancellationToken) =>
        Task.FromResult(readers.Read(sql => sql.First($"SELECT {AccountColumns} FROM wallet_accounts WHERE wallet_id = @id AND name = @name", ReadAccount,
            ("@id", walletId), ("@name", name))));

    public Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(string walletId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AccountRecord>>(readers.Read(sql =>
            sql.Query($"SELECT {AccountColumns} FROM wallet_accounts WHERE wallet_id = @id ORDER BY name", ReadAccount, ("@id", walletId))));

    public Task<IReadOnlyList<WalletCount>> CountAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WalletCount>>(readers.Read(sql =>
            sql.Query("SELECT kind, backup, count(*) FROM wallets GROUP BY kind, backup ORDER BY kind, backup",
                r => new WalletCount(KindOf(r.GetString(0)), WalletBackups.Parse(r.GetString(1)), r.GetInt64(2)))));

    public Task<IReadOnlyList<WalletRecord>> HdWalletsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WalletRecord>>(readers.Read(sql => sql.Query($"SELECT {Columns} FROM wallets WHERE kind = 'hd' ORDER BY wallet_id", Read)));

    public Task<bool> ResealAsync(IReadOnlyList<Reseal> changes, int kekVersion, string principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return writer.CommitAsync(new LockSet(GlobalLock.Shared, [.. changes.Select(c => c.WalletId)]), tx =>
        {
            // All or nothing: a seed changed since it was read (a concurrent writer) leaves every row as it was.
            foreach (var change in changes)
            {
                var held = tx.Sql.First("SELECT sealed_seed, kek_version FROM wallets WHERE wallet_id = @id AND kind = 'hd'",
                    r => (Blob: r.Bytes(0), Kek: r.GetInt64(1)), ("@id", change.WalletId));
                if (held.Blob is null || !held.Blob.AsSpan().SequenceEqual(change.OldBlob) || held.Kek != change.OldKekVersion) return false;
            }
            foreach (var change in changes)
                tx.Sql.Execute("UPDATE wallets SET sealed_seed = @blob, kek_version = @kek WHERE wallet_id = @id",
                    ("@blob", change.NewBlob), ("@kek", (long)kekVersion), ("@id", change.WalletId));
            tx.Record(new AuditRecord
            {
                Principal = principal, Action = AuditActions.KekResealed,
                Details = new Dictionary<string, string> { ["version"] = $"v{kekVersion}", ["seeds"] = changes.Count.ToString(CultureInfo.InvariantCulture) },
            });
            return true;
        });
    }

    private static WalletRecord Read(DbDataReader r) => new(
        r.GetString(0), r.GetString(1),
        KindOf(r.GetString(2)),
        r.NullableString(3) switch { "secp256k1" => KeyCurve.Secp256k1, "ed25519" => KeyCurve.Ed25519, _ => null },
        r.NullableBytes(4), (int?)r.NullableInt64(5), r.NullableString(6), r.NullableBytes(7),
        (uint?)r.NullableInt64(8), r.Millis(9), WalletBackups.Parse(r.GetString(10)));

    private static AccountRecord ReadAccount(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.Millis(4));

    private static WalletKind KindOf(string text) => text == "hd" ? WalletKind.Hd : WalletKind.HsmNative;

    private static string KindText(WalletKind kind) => kind == WalletKind.Hd ? "hd" : "hsm-native";

    private static string CurveText(KeyCurve curve) => curve == KeyCurve.Secp256k1 ? "secp256k1" : "ed25519";
}
