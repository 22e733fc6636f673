using Custody.Storage.Sqlite;
using Dapper;

namespace Custody.Storage.KeyRotation;

/// <summary>One HD wallet's sealed seed as stored, with the KEK version recorded beside it.</summary>
public sealed record SealedSeedRow(string WalletId, byte[] SealedSeed, int KekVersion)
{
    public override string ToString() => $"SealedSeed({WalletId}, KEK v{KekVersion})";
}

/// <summary>A sealed seed replaced by one sealed under <see cref="KekVersion"/>.</summary>
public sealed record ResealedSeed(SealedSeedRow Old, byte[] SealedSeed, int KekVersion);

/// <summary>
/// The sealed seeds of every HD wallet, as KEK rotation needs them: all read at once, all
/// replaced in ONE transaction. Each replacement is a compare-and-swap on the blob that
/// was read, so a row changed in between (a concurrent writer) rolls the whole batch back
/// instead of overwriting it.
/// </summary>
public sealed class SealedSeedTable(SqliteDatabase db)
{
    public IReadOnlyList<SealedSeedRow> ReadAll()
    {
        using var connection = db.Open();
        return [.. connection.Query<(string WalletId, byte[] SealedSeed, long KekVersion)>(
                "SELECT wallet_id, sealed_seed, kek_version FROM wallets WHERE kind = 'hd' ORDER BY wallet_id")
            .Select(r => new SealedSeedRow(r.WalletId, r.SealedSeed, checked((int)r.KekVersion)))];
    }

    /// <summary>True when every row was replaced; false (nothing changed) when one no longer held the blob read.</summary>
    public bool ReplaceAll(IReadOnlyList<ResealedSeed> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        using var connection = db.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var change in changes)
        {
            var updated = connection.Execute(
                "UPDATE wallets SET sealed_seed = @blob, kek_version = @version " +
                "WHERE wallet_id = @id AND kind = 'hd' AND sealed_seed = @old AND kek_version = @oldVersion",
                new { blob = change.SealedSeed, version = change.KekVersion, id = change.Old.WalletId, old = change.Old.SealedSeed, oldVersion = change.Old.KekVersion },
                transaction);
            if (updated != 1)
            {
                transaction.Rollback();
                return false;
            }
        }
        transaction.Commit();
        return true;
    }
}
