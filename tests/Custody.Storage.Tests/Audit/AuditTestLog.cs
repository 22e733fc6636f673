using Custody.Core.Audit;
using Custody.Core.Audit.Notes;
using Custody.Core.Crypto;
using Custody.Storage.Audit;
using Custody.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Tests.Audit;

/// <summary>A real SQLite file in a temporary directory, an audit key, and helpers to play the attacker.</summary>
public sealed class AuditTestLog : IDisposable
{
    public const string Origin = "custody.test/audit";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "custody-audit-" + Guid.NewGuid().ToString("N"));

    public AuditTestLog()
    {
        Directory.CreateDirectory(_directory);
        Database = new SqliteDatabase(FilePath);
    }

    public string FilePath => Path.Combine(_directory, "audit.db");

    public SqliteDatabase Database { get; }

    public Ed25519CheckpointSigner Signer { get; } = new(Origin, Hashes.Sha256("test audit key"u8));

    public NoteVerifierKey Key => NoteVerifierKey.For(Signer);

    public AuditLogReader Reader => new(Database);

    public AuditLog Open(AuditLogOptions? options = null) =>
        AuditLog.Open(Database, Signer, options ?? new AuditLogOptions { CheckpointEvery = 10, CheckpointInterval = TimeSpan.FromHours(1) });

    public static AuditRecord Event(int i) => new()
    {
        Principal = i % 2 == 0 ? "alice" : "bob",
        Action = i % 3 == 0 ? "policy.update" : "sign",
        WalletId = "wallet-" + (i % 4),
        Chain = "btc",
        RequestDigest = Hashes.Sha256(BitConverter.GetBytes(i)),
        Decision = Core.Policy.PolicyOutcome.Allow,
        Rule = "default",
        Details = new Dictionary<string, string> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    /// <summary>Appends n events one after another (each its own commit), then closes the log.</summary>
    public async Task<List<AuditReceipt>> WriteAsync(int n, AuditLogOptions? options = null)
    {
        var receipts = new List<AuditReceipt>();
        await using var log = Open(options);
        for (var i = 0; i < n; i++) receipts.Add(await log.AppendAsync(Event(i)));
        return receipts;
    }

    /// <summary>Opens the file as an attacker would: plain SQLite, triggers dropped.</summary>
    public SqliteConnection Attacker()
    {
        var c = new SqliteConnection($"Data Source={FilePath};Pooling=False");
        c.Open();
        c.Execute("""
            DROP TRIGGER audit_records_no_update; DROP TRIGGER audit_records_no_delete;
            DROP TRIGGER audit_checkpoints_no_update; DROP TRIGGER audit_checkpoints_no_delete;
            """);
        return c;
    }

    public void Dispose()
    {
        Signer.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
