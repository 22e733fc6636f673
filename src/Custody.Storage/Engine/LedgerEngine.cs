using System.Data.Common;
using System.Numerics;
using Custody.Core.Ledger;
using Custody.Storage.Data;

namespace Custody.Storage.Engine;

/// <summary>
/// What differs between the engines the ledger runs on, and nothing else: how a connection is
/// opened and a write transaction begun, how the rows a batch depends on are locked, how an
/// exact amount is stored, which errors are worth a retry or name a storage fault, and the schema.
/// Every statement and every rule of the ledger is written once, above this.
/// </summary>
public abstract class LedgerEngine : IDisposable
{
    /// <summary>"sqlite" or "postgres", for logs and metrics.</summary>
    public abstract string Name { get; }

    /// <summary>Where the data lives, without secrets (a path, or host/port/database).</summary>
    public abstract string Location { get; }

    /// <summary>A new open connection, configured for the ledger.</summary>
    public abstract DbConnection Open();

    /// <summary>A transaction that may write: it serialises with every other writer on what it locks.</summary>
    public abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>A transaction that only reads, with one consistent view.</summary>
    public abstract DbTransaction BeginRead(DbConnection connection);

    /// <summary>
    /// Locks what a batch depends on, in the one order every writer uses (the global row, then
    /// wallets by id). An engine whose write transaction already excludes every other writer
    /// (SQLite's BEGIN IMMEDIATE) does nothing here.
    /// </summary>
    public abstract void Lock(Sql sql, LockSet locks);

    /// <summary>Locks the audit head row, last in a batch and only briefly.</summary>
    public abstract void LockAuditHead(Sql sql);

    /// <summary>An exact amount as the engine stores it (decimal text, or NUMERIC).</summary>
    public abstract object Amount(BigInteger amount);

    public abstract BigInteger ReadAmount(DbDataReader reader, int ordinal);

    /// <summary>What an exception from the provider means for the ledger.</summary>
    public abstract StoreError Classify(Exception exception);

    /// <summary>
    /// A fault the store has now though no write has met it yet (a full volume, files that refuse
    /// writes), for health checks; null when none is seen. A failed write is not a reliable witness:
    /// SQLite reuses the WAL space a failed transaction took, so a small write can pass on a full disk.
    /// </summary>
    public virtual LedgerFault? Check() => null;

    /// <summary>Creates or migrates the schema (idempotent; safe when two processes start at once).</summary>
    public abstract void Migrate();

    /// <summary>
    /// The right to sign checkpoints while the lease is held: one signer at a time across the
    /// processes sharing the store, so checkpoints have no duplicates or gaps. Null when another holds it.
    /// </summary>
    public abstract IDisposable? TryLeadCheckpoints();

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>How the ledger treats an error from the store.</summary>
public readonly record struct StoreError(StoreErrorKind Kind, LedgerFault Fault = LedgerFault.Unavailable)
{
    public static StoreError Bug => new(StoreErrorKind.Bug);
    public static StoreError Retry => new(StoreErrorKind.Retry);
    public static StoreError Storage(LedgerFault fault) => new(StoreErrorKind.Storage, fault);
}

public enum StoreErrorKind
{
    /// <summary>Not the store's: a bug or bad data; the change fails alone.</summary>
    Bug,

    /// <summary>A serialisation failure or deadlock: the whole batch is tried again.</summary>
    Retry,

    /// <summary>The store cannot be used (full, read-only, unreachable): every change of the batch fails with it.</summary>
    Storage,
}

/// <summary>What a change needs locked: the global row (shared by anything a global freeze or policy governs, exclusive to change those) and wallets.</summary>
public sealed record LockSet(GlobalLock Global, IReadOnlyCollection<string> Wallets)
{
    public static LockSet None { get; } = new(GlobalLock.None, []);

    /// <summary>Reads or writes what a global freeze, the global policy or the approvers govern, for these wallets.</summary>
    public static LockSet Wallet(params string[] walletIds) => new(GlobalLock.Shared, walletIds);

    /// <summary>Changes what every wallet's judgement reads (a global freeze, the global policy, approvers).</summary>
    public static LockSet Everything { get; } = new(GlobalLock.Exclusive, []);

    public static LockSet Union(IEnumerable<LockSet> sets)
    {
        var global = GlobalLock.None;
        var wallets = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var set in sets)
        {
            if (set.Global > global) global = set.Global;
            wallets.UnionWith(set.Wallets);
        }
        return new LockSet(global, wallets);
    }
}

public enum GlobalLock
{
    None,
    Shared,
    Exclusive,
}
