using Custody.Core.Audit;
using Custody.Core.Audit.Notes;
using Custody.Core.Ledger;
using Custody.Storage.Audit;
using Custody.Storage.Data;
using Custody.Storage.Engine;
using Custody.Storage.Policy;
using Custody.Storage.Signing;
using Custody.Storage.Tokens;
using Custody.Storage.Wallets;
using Custody.Storage.Writing;

namespace Custody.Storage;

/// <summary>
/// The ledger on an engine: one writer, a pool of readers, and the areas the contract names. Opening
/// creates or migrates the schema and checks the audit head against the stored records and the
/// newest checkpoint in a few indexed reads, so starting does not grow with the log; the full
/// replay is <c>custody-admin audit verify</c> (and <see cref="IAuditLedger.VerifyAsync"/>).
/// </summary>
public sealed class Ledger : ILedger
{
    private readonly LedgerEngine _engine;
    private readonly Readers _readers;
    private readonly LedgerWriter _writer;
    private readonly Checkpointer? _checkpointer;
    private int _disposed;

    private Ledger(LedgerEngine engine, LedgerOptions options, AuditHead head, SignedCheckpoint? latest)
    {
        _engine = engine;
        _readers = new Readers(engine);
        var appender = new AuditAppender(head.Size);
        _writer = new LedgerWriter(engine, appender, options.Time, options.MaxBatch);
        var versions = new PolicyVersions();
        _checkpointer = options.CheckpointSigner is { } signer
            ? new Checkpointer(engine, _readers, _writer, appender, signer, options, latest?.Checkpoint.Size ?? 0)
            : null;
        Signing = new SigningLedger(_readers, _writer, new Judge(versions, engine), versions, options.Time);
        Wallets = new WalletLedger(_readers, _writer);
        Tokens = new TokenLedger(_readers, _writer);
        Policy = new PolicyLedger(_readers, _writer, versions, options.Time);
        Audit = new AuditLedger(_readers, _writer, appender, _checkpointer);
    }

    public ISigningLedger Signing { get; }

    public IWalletLedger Wallets { get; }

    public ITokenLedger Tokens { get; }

    public IPolicyLedger Policy { get; }

    public IAuditLedger Audit { get; }

    /// <summary>The engine's name and where its data lives (no secrets).</summary>
    public string Describe() => $"{_engine.Name} at {_engine.Location}";

    /// <summary>Batches committed and their sizes, for metrics.</summary>
    public LedgerWriter Writer => _writer;

    /// <summary>
    /// Opens the ledger on <paramref name="engine"/> (which it then owns), creating or migrating its schema.
    /// Throws <see cref="AuditLogTamperedException"/> when the audit head does not match the records or
    /// the newest checkpoint: signing on over a log that does not fit would launder a change.
    /// </summary>
    public static Ledger Open(LedgerEngine engine, LedgerOptions? options = null) => Open(engine, options, checkHead: true);

    /// <summary>
    /// Opens a ledger only to read and verify it: a head that does not fit is left for
    /// <see cref="IAuditLedger.VerifyAsync"/> to name rather than refused at the door.
    /// </summary>
    public static Ledger OpenForVerification(LedgerEngine engine) => Open(engine, null, checkHead: false);

    private static Ledger Open(LedgerEngine engine, LedgerOptions? options, bool checkHead)
    {
        ArgumentNullException.ThrowIfNull(engine);
        options ??= new LedgerOptions();
        if (options.CheckpointEvery < 1 || options.MaxBatch < 1 || options.CheckpointInterval < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), "checkpoint spacing and batch size must be positive");
        try
        {
            engine.Migrate();
            using var readers = new Readers(engine);
            var (head, stored, latest) = readers.Read(sql => (AuditTables.ReadHead(sql), AuditTables.StoredCount(sql), AuditTables.LatestCheckpoint(sql)), snapshot: true);
            if (checkHead) Check(head, stored, latest, options.CheckpointSigner);
            return new Ledger(engine, options, head, latest);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (_engine.Check() is { } fault) throw LedgerWriter.Unavailable(fault, new IOException($"{_engine.Location}: {fault}"));
        _readers.Read(sql => AuditTables.ReadHead(sql).Size);
        // A commit within the last seconds and no fault since: writes work. Otherwise a write that
        // changes nothing still takes the write lock and commits, so a full disk or a read-only file
        // shows here (SQLite writes the WAL frame of the touched page) without waiting for a signature.
        var last = _writer.LastCommitTimestamp;
        if (_writer.LastFault is null && last != 0 && _writer.Time.GetElapsedTime(last) < RecentCommit) return;
        await _writer.CommitAsync(LockSet.None, tx => tx.Sql.Execute("UPDATE audit_head SET size = size WHERE id = 1")).ConfigureAwait(false);
    }

    private static readonly TimeSpan RecentCommit = TimeSpan.FromSeconds(2);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (_checkpointer is not null) await _checkpointer.DisposeAsync().ConfigureAwait(false);
        _writer.Dispose();
        _readers.Dispose();
        _engine.Dispose();
    }

    private static void Check(AuditHead head, long stored, SignedCheckpoint? latest, ICheckpointSigner? signer)
    {
        if (stored != head.Size)
            throw new AuditLogTamperedException(new AuditFailure(AuditFailureKind.HeadMismatch, Math.Min(stored, head.Size),
                $"the audit head says {head.Size} records but {stored} are stored"));
        if (latest is null) return;
        if (latest.Checkpoint.Size > head.Size)
            throw new AuditLogTamperedException(new AuditFailure(AuditFailureKind.Truncated, latest.Index,
                $"it covers {latest.Checkpoint.Size} records but the log holds {head.Size}"));
        if (latest.Checkpoint.Size == head.Size && !latest.Checkpoint.RootHash.Span.SequenceEqual(head.Tree().Root()))
            throw new AuditLogTamperedException(new AuditFailure(AuditFailureKind.RootMismatch, latest.Index,
                "its root is not the root of the audit head's tree"));
        if (signer is not null)
        {
            try
            {
                Checkpoint.Open(latest.Note, NoteVerifierKey.For(signer));
            }
            catch (Core.InvalidInputException e)
            {
                throw new AuditLogTamperedException(new AuditFailure(AuditFailureKind.BadSignature, latest.Index, e.Message));
            }
        }
    }
}
