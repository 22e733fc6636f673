using System.Formats.Tar;
using System.IO.Compression;
using Custody.Core.Audit;
using Custody.Core.Audit.Notes;
using Custody.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Custody.Storage.Tests.Sqlite;

/// <summary>
/// A real three-file installation (Fixtures/legacy-v1.tar.gz, made by the previous release's daemon)
/// moved into the one ledger file at the first open: every row and record, the old checkpoints still
/// verifying, the old files set aside, and never moved twice.
/// </summary>
public sealed class LegacyMigrationTests : IDisposable
{
    private static readonly string[] PolicyTables = ["policy_versions", "policy_freezes", "policy_approvers", "policy_pending", "policy_approvals"];

    private static readonly string[] OldFiles = ["policy.db", "policy.db-wal", "audit.db", "audit.db-wal"];

    private readonly string _directory = Directory.CreateTempSubdirectory("custody-legacy-").FullName;

    public LegacyMigrationTests()
    {
        using var archive = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "legacy-v1.tar.gz")), CompressionMode.Decompress);
        TarFile.ExtractToDirectory(archive, _directory, overwriteFiles: false);
    }

    [Fact]
    public async Task Every_row_and_record_moves_and_the_old_checkpoints_still_verify()
    {
        var before = OldRecords();
        Assert.Equal(32, before.Count);

        await using (var ledger = SqliteLedger.Open(new DataDirectory(_directory)))
        {
            var counts = Counts();
            Assert.Equal(3, counts["wallets"]);
            Assert.Equal(2, counts["account_xpubs"]);
            Assert.Equal(2, counts["address_counters"]);
            Assert.Equal(4, counts["api_tokens"]);
            Assert.Equal(2, counts["policy_versions"]);
            Assert.Equal(1, counts["policy_freezes"]);
            Assert.Equal(2, counts["policy_approvers"]);
            Assert.Equal(2, counts["policy_pending"]);
            Assert.Equal(2, counts["policy_approvals"]);
            Assert.Equal(10, counts["reservations"]);
            Assert.Equal(10, counts["velocity"]);
            Assert.Equal(10, counts["replies"]);
            Assert.Equal(2, counts["audit_checkpoints"]);
            Assert.Equal(33, counts["audit_records"]);
            Assert.Equal(0, Scalar("SELECT count(*) FROM sqlite_master WHERE name = 'idempotency'"));

            // The records byte for byte, then the one that says what was moved.
            for (var seq = 0; seq < 32; seq++)
                Assert.Equal(before[seq], Scalar<byte[]>("SELECT data FROM audit_records WHERE seq = @seq", seq));
            var migrated = (await ledger.Audit.GetAsync(32, default))!;
            Assert.Equal(AuditActions.LedgerMigrated, migrated.Action);
            Assert.Equal(("10", "32", "2", "10"), (migrated.Details["reservations"], migrated.Details["audit_records"], migrated.Details["audit_checkpoints"], migrated.Details["replies"]));

            // The old checkpoints, signed by the old installation's audit key, verify; the records after
            // the newest (the old daemon's last ones, and the migration's) are consistent but unsigned.
            var key = NoteVerifierKey.Parse(File.ReadAllText(Path.Combine(_directory, "audit.vkey")).Trim());
            var verdict = await ledger.Audit.VerifyAsync(key, null, default);
            Assert.True(verdict.IsIntact, verdict.ToString());
            Assert.Equal((2, 33L), (verdict.CheckpointCount, verdict.RecordCount));
            Assert.Equal(Scalar("SELECT max(tree_size) FROM audit_checkpoints"), verdict.SignedSize);
            Assert.True(verdict.IsVerified(allowUnsignedTail: true));
            var (checkpoint, proof, data) = await ledger.Audit.InclusionProofAsync(5, null, default);
            Assert.True(proof.Verify(Core.Audit.Merkle.MerkleHash.Leaf(data), checkpoint.Checkpoint.RootHash.Span));
            // Stored replies answer their request ids again.
            var reply = Scalar<string>("SELECT principal || char(10) || request_id FROM replies LIMIT 1", null).Split('\n');
            Assert.NotNull(await ledger.Signing.FindReplyAsync(reply[0], reply[1], default));
        }

        foreach (var file in OldFiles.Where(f => f.EndsWith(".db", StringComparison.Ordinal)))
        {
            Assert.False(File.Exists(Path.Combine(_directory, file)), file);
            Assert.True(File.Exists(Path.Combine(_directory, file + LegacyFiles.SetAsideSuffix)), file);
        }

        // A second open moves nothing.
        await using (var again = SqliteLedger.Open(new DataDirectory(_directory)))
            Assert.Equal(33, again.Audit.Size);
        Assert.Equal(1, Scalar($"SELECT count(*) FROM audit_records WHERE action = '{AuditActions.LedgerMigrated}'"));
    }

    [Fact]
    public async Task A_crash_between_the_commit_and_setting_the_old_files_aside_does_not_move_them_twice()
    {
        await (SqliteLedger.Open(new DataDirectory(_directory))).DisposeAsync();
        // As if the process died after the commit, before the renames: the old files are back in place.
        foreach (var file in OldFiles)
        {
            var aside = Path.Combine(_directory, file + LegacyFiles.SetAsideSuffix);
            if (File.Exists(aside)) File.Move(aside, Path.Combine(_directory, file));
        }
        Assert.True(File.Exists(Path.Combine(_directory, "audit.db")));

        await using (var ledger = SqliteLedger.Open(new DataDirectory(_directory)))
            Assert.Equal(33, ledger.Audit.Size);
        Assert.Equal(33, Scalar("SELECT count(*) FROM audit_records"));
        Assert.Equal(10, Scalar("SELECT count(*) FROM reservations"));
        Assert.Equal(10, Scalar("SELECT count(*) FROM replies"));
        Assert.False(File.Exists(Path.Combine(_directory, "audit.db")));
    }

    [Fact]
    public async Task A_half_written_old_log_moves_only_its_committed_transactions()
    {
        // Cut policy.db's write-ahead log in the middle of its last frame, as a crash mid-write leaves it.
        var wal = Path.Combine(_directory, "policy.db-wal");
        var length = new FileInfo(wal).Length;
        var pageSize = PageSize(wal);
        var frame = 24 + pageSize;
        Assert.Equal(0, (length - 32) % frame);
        using (var stream = new FileStream(wal, FileMode.Open)) stream.SetLength(length - frame / 2);

        // What SQLite itself makes of the cut log, read from a copy.
        var copy = Directory.CreateTempSubdirectory("custody-legacy-copy-").FullName;
        Dictionary<string, long> expected;
        try
        {
            foreach (var file in new[] { "policy.db", "policy.db-wal" }) File.Copy(Path.Combine(_directory, file), Path.Combine(copy, file));
            using var old = new SqliteConnection($"Data Source={Path.Combine(copy, "policy.db")};Pooling=False");
            old.Open();
            expected = PolicyTables.ToDictionary(t => t, t => Scalar(old, $"SELECT count(*) FROM {t}"));
            expected["reservations"] = Scalar(old, "SELECT count(*) FROM policy_reservations WHERE released_at IS NULL");
            expected["velocity"] = Scalar(old, "SELECT count(*) FROM policy_velocity");
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
        Assert.True(expected["reservations"] < 10 || expected["policy_pending"] < 2 || expected["velocity"] < 10,
            "the cut dropped nothing that counts: cut elsewhere");

        await using var ledger = SqliteLedger.Open(new DataDirectory(_directory));
        var counts = Counts();
        foreach (var (table, count) in expected) Assert.True(count == counts[table], $"{table}: {counts[table]} moved, SQLite reads {count} committed");
        Assert.Equal(33, ledger.Audit.Size);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The old log's records, read from a copy (opening the original would check its WAL into it).</summary>
    private List<byte[]> OldRecords()
    {
        var copy = Directory.CreateTempSubdirectory("custody-legacy-copy-").FullName;
        try
        {
            foreach (var file in new[] { "audit.db", "audit.db-wal" }) File.Copy(Path.Combine(_directory, file), Path.Combine(copy, file));
            using var old = new SqliteConnection($"Data Source={Path.Combine(copy, "audit.db")};Pooling=False");
            old.Open();
            using var command = old.CreateCommand();
            command.CommandText = "SELECT data FROM audit_records ORDER BY seq";
            using var reader = command.ExecuteReader();
            var records = new List<byte[]>();
            while (reader.Read()) records.Add((byte[])reader.GetValue(0));
            return records;
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private Dictionary<string, long> Counts()
    {
        using var connection = Connect();
        var tables = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using var reader = command.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
        return tables.ToDictionary(t => t, t => Scalar(connection, $"SELECT count(*) FROM \"{t}\""));
    }

    private long Scalar(string sql) => Scalar<long>(sql, null);

    private T Scalar<T>(string sql, long? seq)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (seq is { } s) command.Parameters.AddWithValue("@seq", s);
        return (T)command.ExecuteScalar()!;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "custody.db")};Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>The page size a WAL's header states (big-endian, bytes 8-11).</summary>
    private static int PageSize(string wal)
    {
        var header = new byte[32];
        using (var stream = File.OpenRead(wal)) stream.ReadExactly(header);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(8, 4));
    }
}
