using System.Text.Json;
using Custody.Core.Audit;
using Custody.Core.Audit.Notes;
using Custody.Core.Crypto;
using Custody.Core.Audit.Merkle;
using Custody.Storage;
using Custody.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Custody.Cli.Tests.Audit;

/// <summary>custody-admin audit verify / export, run as a child process on a real log file.</summary>
public sealed class AuditCommandTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("custody-audit-cli-").FullName;
    private readonly Ed25519CheckpointSigner _signer = new("custody.test/audit", Hashes.Sha256("cli audit key"u8));

    public AuditCommandTests()
    {
        DbPath = Path.Combine(_dir, "custody.db");
        KeyPath = Path.Combine(_dir, "audit.vkey");
        File.WriteAllText(KeyPath, NoteVerifierKey.For(_signer) + "\n");
    }

    private string DbPath { get; }

    private string KeyPath { get; }

    public void Dispose()
    {
        _signer.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A ledger with <paramref name="n"/> records, a checkpoint signed after every tenth and one at the end.</summary>
    private async Task WriteLogAsync(int n, bool signed = true)
    {
        var clock = new Clock { Now = Start };
        await using (var ledger = Ledger.Open(new SqliteEngine(DbPath),
            new LedgerOptions { CheckpointSigner = signed ? _signer : null, CheckpointInterval = TimeSpan.Zero, CheckpointEvery = int.MaxValue, Time = clock }))
        {
            for (var i = 0; i < n; i++)
            {
                clock.Now = Start.AddMinutes(i);
                if (i > 0 && i % 10 == 0) await ledger.Audit.CheckpointAsync();
                await ledger.Audit.AppendAsync(new AuditRecord
                {
                    Principal = i % 2 == 0 ? "alice" : "bob",
                    Action = i % 5 == 0 ? "key.ceremony" : "sign",
                    WalletId = "wallet-" + (i % 3),
                    RequestDigest = Hashes.Sha256(BitConverter.GetBytes(i)),
                    Decision = Core.Policy.PolicyOutcome.Allow,
                });
            }
        }
        SqliteConnection.ClearAllPools();
    }

    private void Attack(string sql)
    {
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        Execute(c, "DROP TRIGGER audit_records_no_delete; DROP TRIGGER audit_checkpoints_no_update; DROP TRIGGER audit_checkpoints_no_delete;");
        Execute(c, sql);
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>What a careful attacker does after cutting records: moves the audit head back to the records that are left.</summary>
    private void RewindHead(int size)
    {
        var tree = new MerkleTreeState();
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        using (var read = c.CreateCommand())
        {
            read.CommandText = $"SELECT leaf_hash FROM audit_records WHERE seq < {size} ORDER BY seq";
            using var rows = read.ExecuteReader();
            while (rows.Read()) tree.Append((byte[])rows.GetValue(0));
        }
        using var write = c.CreateCommand();
        write.CommandText = "UPDATE audit_head SET size = @size, edge = @edge";
        write.Parameters.AddWithValue("@size", tree.Size);
        write.Parameters.AddWithValue("@edge", tree.RightEdge.SelectMany(h => h).ToArray());
        write.ExecuteNonQuery();
    }

    [Fact]
    public async Task Verify_passes_an_intact_log()
    {
        await WriteLogAsync(25);
        var result = ChildProcess.Admin("audit", "verify", "--db", DbPath, "--key", KeyPath);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Equal("audit log intact: 25 records, 3 signed checkpoints, 25 records covered by the latest", result.Stdout.Trim());
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Records_no_checkpoint_covers_are_not_verified_unless_the_operator_accepts_an_unsigned_tail()
    {
        await WriteLogAsync(5, signed: false);
        var unsigned = ChildProcess.Admin("audit", "verify", "--db", DbPath, "--key", KeyPath);
        Assert.Equal(1, unsigned.ExitCode);
        Assert.Equal("audit log not verified: 5 of 5 records are not covered by any signed checkpoint (0 checkpoints, the latest covers 0)", unsigned.Stdout.Trim());
        var accepted = ChildProcess.Admin("audit", "verify", "--db", DbPath, "--key", KeyPath, "--allow-unsigned-tail");
        Assert.Equal(0, accepted.ExitCode);
        Assert.Equal("audit log intact: 5 records, 0 signed checkpoints, 0 records covered by the latest; the 5 after it are only consistent (accepted: --allow-unsigned-tail)",
            accepted.Stdout.Trim());
    }

    [Fact]
    public async Task Verify_names_the_first_deleted_record()
    {
        await WriteLogAsync(25);
        Attack("DELETE FROM audit_records WHERE seq IN (7, 12)");
        var result = ChildProcess.Admin("audit", "verify", "--db", DbPath, "--key", KeyPath);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("audit log tampered: record 7: missing: the next stored record is 8", result.Stdout.Trim());
    }

    [Fact]
    public async Task Verify_names_a_forged_checkpoint()
    {
        await WriteLogAsync(25);
        using var intruder = new Ed25519CheckpointSigner("custody.test/audit", Hashes.Sha256("intruder"u8));
        var forged = new Checkpoint("custody.test/audit", 20, new byte[32]).Sign(intruder);
        Attack($"UPDATE audit_checkpoints SET note = '{forged}' WHERE idx = 1");
        var result = ChildProcess.Admin("audit", "verify", "--db", DbPath, "--key", KeyPath);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("audit log tampered: checkpoint 1: not signed by the audit key custody.test/audit+", result.Stdout.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_with_a_checkpoint_kept_elsewhere_catches_a_cut_of_records_and_checkpoints()
    {
        await WriteLogAsync(25);
        var kept = Path.Combine(_dir, "checkpoint-25.txt");
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var read = c.CreateCommand();
            read.CommandText = "SELECT note FROM audit_checkpoints ORDER BY idx DESC LIMIT 1";
            File.WriteAllText(kept, (string)read.ExecuteScalar()!);
        }
        Assert.Equal(0, ChildProcess.Admin("audit", "verify", "--db", DbPath, "--key", KeyPath, "--checkpoint", kept).ExitCode);

        Attack("DELETE FROM audit_records WHERE seq >= 20; DELETE FROM audit_checkpoints WHERE idx = 2");
        // A cut alone leaves the audit head behind, which names it ...
        var naive = ChildProcess.Admin("audit", "verify", "--db", DbPath, "--key", KeyPath);
        Assert.Equal(1, naive.ExitCode);
        Assert.Contains("audit head", naive.Stdout, StringComparison.Ordinal);
        // ... but whoever holds the file can move the head back too: only a checkpoint kept elsewhere catches that.
        RewindHead(20);
        Assert.Equal(0, ChildProcess.Admin("audit", "verify", "--db", DbPath, "--key", KeyPath).ExitCode);
        var result = ChildProcess.Admin("audit", "verify", "--db", DbPath, "--key", KeyPath, "--checkpoint", kept);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "audit log tampered: external checkpoint 0: signed 25 records but the log holds 20: records 20..24 were removed with their checkpoints",
            result.Stdout.Trim());
    }

    [Fact]
    public async Task Verify_with_the_wrong_key_fails_at_the_first_checkpoint()
    {
        await WriteLogAsync(12);
        using var other = new Ed25519CheckpointSigner("custody.test/audit", Hashes.Sha256("other"u8));
        File.WriteAllText(KeyPath, NoteVerifierKey.For(other).ToString());
        var result = ChildProcess.Admin("audit", "verify", "--db", DbPath, "--key", KeyPath);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("checkpoint 0: not signed by the audit key", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operator_mistakes_are_one_line_errors()
    {
        var missing = ChildProcess.Admin("audit", "verify", "--db", Path.Combine(_dir, "nope.db"), "--key", KeyPath);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal(["error: no ledger file at " + Path.Combine(_dir, "nope.db")], missing.ErrorLines);

        await WriteLogAsync(3);
        File.WriteAllText(KeyPath, "not a key");
        var badKey = ChildProcess.Admin("audit", "verify", "--db", DbPath, "--key", KeyPath);
        Assert.Equal(1, badKey.ExitCode);
        Assert.Single(badKey.ErrorLines);
        Assert.StartsWith("error: vkey:", badKey.ErrorLines[0], StringComparison.Ordinal);

        var badTime = ChildProcess.Admin("audit", "export", "--db", DbPath, "--from", "yesterday");
        Assert.Equal(1, badTime.ExitCode);
        Assert.Equal(["error: --from: 'yesterday' is not an ISO 8601 time"], badTime.ErrorLines);

        var notALog = Path.Combine(_dir, "empty.db");
        File.WriteAllBytes(notALog, []);
        var empty = ChildProcess.Admin("audit", "export", "--db", notALog);
        Assert.Equal(1, empty.ExitCode);
        Assert.Single(empty.ErrorLines);
        Assert.StartsWith($"error: {notALog}: {notALog} holds no ledger", empty.ErrorLines[0], StringComparison.Ordinal);

        Assert.Equal(2, ChildProcess.Admin("audit", "verify", "--db", DbPath).ExitCode);
    }

    [Fact]
    public async Task Export_writes_json_lines_filtered_by_time_principal_wallet_and_action()
    {
        await WriteLogAsync(25);
        long[] Export(params string[] filters)
        {
            var result = ChildProcess.Admin(["audit", "export", "--db", DbPath, .. filters]);
            Assert.True(result.ExitCode == 0, result.Stderr);
            return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
            {
                using var doc = JsonDocument.Parse(line);
                return doc.RootElement.GetProperty("seq").GetInt64();
            }).ToArray();
        }

        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), Export());
        Assert.Equal([3L, 4, 5], Export("--from", "2025-06-01T12:03:00Z", "--to", "2025-06-01T12:06:00Z"));
        Assert.Equal([3L, 4, 5], Export("--from", "2025-06-01T14:03:00+02:00", "--to", "2025-06-01T12:06:00"));
        Assert.Equal([1L, 7, 13, 19], Export("--principal", "bob", "--wallet", "wallet-1"));
        Assert.Equal([0L, 5, 10, 15, 20], Export("--action", "key.ceremony"));
        Assert.Empty(Export("--principal", "mallory"));

        var line = ChildProcess.Admin("audit", "export", "--db", DbPath, "--principal", "bob", "--wallet", "wallet-1").Stdout.Split('\n')[0];
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("2025-06-01T12:01:00.000000Z", doc.RootElement.GetProperty("time").GetString());
        Assert.Equal("allow", doc.RootElement.GetProperty("decision").GetString());
        Assert.Equal(64, doc.RootElement.GetProperty("leaf_hash").GetString()!.Length);
    }

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
