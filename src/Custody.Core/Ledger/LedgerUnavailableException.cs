namespace Custody.Core.Ledger;

/// <summary>Why the store cannot take a write or answer a read now; each is worth a retry later, not a bug report.</summary>
public enum LedgerFault
{
    /// <summary>The disk (or the database's quota) is full.</summary>
    Full,

    /// <summary>The files or the database are read-only (a mount, permissions, a standby).</summary>
    ReadOnly,

    /// <summary>The store does not answer (locked for too long, unreachable server, I/O error).</summary>
    Unavailable,
}

/// <summary>
/// The store cannot be used now. Nothing of the operation was written. Clients see UNAVAILABLE with
/// a reason naming the fault (STORAGE_FULL, STORAGE_READ_ONLY, STORAGE_UNAVAILABLE); health says so too.
/// </summary>
public sealed class LedgerUnavailableException(LedgerFault fault, string message, Exception? inner = null) : Exception(message, inner)
{
    public LedgerFault Fault { get; } = fault;
}
