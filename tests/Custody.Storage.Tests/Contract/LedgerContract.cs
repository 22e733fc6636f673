namespace Custody.Storage.Tests.Contract;

/// <summary>
/// The base of every contract test class: each test gets a fresh store of the engine the derived
/// class names (<see cref="Engines"/>), removed after it.
/// </summary>
public abstract class LedgerContract(Func<bool, LedgerStore> stores) : IDisposable
{
    private readonly List<LedgerStore> _stores = [];

    /// <summary>A fresh store; with <paramref name="smallDisk"/>, on a small disk of its own that can fill.</summary>
    protected LedgerStore NewStore(bool smallDisk = false)
    {
        var store = stores(smallDisk);
        lock (_stores) _stores.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _stores) store.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The engines every contract runs against.</summary>
public static class Engines
{
    public static readonly Func<bool, LedgerStore> Sqlite = smallDisk => new SqliteStore(smallDisk);

    public static readonly Func<bool, LedgerStore> Postgres = smallDisk => new PostgresStore(smallDisk);
}
