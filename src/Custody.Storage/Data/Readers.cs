using System.Collections.Concurrent;
using Custody.Core.Ledger;
using Custody.Storage.Engine;
using Custody.Storage.Writing;

namespace Custody.Storage.Data;

/// <summary>
/// Connections for reading, each kept with its prepared statements (every signature looks its
/// request id up and judges a snapshot first). Readers never block the writer: SQLite reads in WAL
/// mode, PostgreSQL reads under MVCC.
/// </summary>
public sealed class Readers(LedgerEngine engine) : IDisposable
{
    private const int MaxIdle = 16;
    private readonly ConcurrentBag<StatementCache> _idle = [];
    private int _disposed;

    /// <summary>Runs <paramref name="read"/> on a kept connection; with <paramref name="snapshot"/>, inside one read transaction.</summary>
    public T Read<T>(Func<Sql, T> read, bool snapshot = false)
    {
        ArgumentNullException.ThrowIfNull(read);
        StatementCache? cache = null;
        try
        {
            cache = _idle.TryTake(out var idle) ? idle : new StatementCache(engine.Open());
            T result;
            if (snapshot)
            {
                using var transaction = engine.BeginRead(cache.Connection);
                result = read(new Sql(cache, transaction));
                transaction.Commit();
            }
            else
            {
                result = read(new Sql(cache, null));
            }
            if (_idle.Count < MaxIdle && Volatile.Read(ref _disposed) == 0) _idle.Add(cache);
            else cache.Dispose();
            return result;
        }
        catch (Exception e)
        {
            if (cache is not null) engine.Discard(cache.Connection);
            cache?.Dispose();
            if (e is not LedgerUnavailableException && engine.Classify(e) is { Kind: StoreErrorKind.Storage } error)
                throw LedgerWriter.Unavailable(error.Fault, e);
            throw;
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _disposed, 1);
        while (_idle.TryTake(out var cache)) cache.Dispose();
    }
}
