using System.Globalization;
using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Daemon.Configuration;
using Custody.Hsm;
using Custody.Storage;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;

namespace Custody.Daemon.Tests;

/// <summary>
/// Witnessed checkpoints end to end: a real custodyd process, a real reference witness
/// (custody-admin witness serve) on a free loopback port or a witness file, and the changes
/// whoever holds the data directory can make (restore an old copy, rewrite and re-sign the log
/// with the HSM key beside it, delete the tail). Each is invisible to audit verify without the
/// witness, and caught with it: the daemon signs nothing more and audit verify --witness fails.
/// </summary>
public sealed class WitnessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("custody-witness-tests-").FullName;
    private readonly string _dataDir;
    private readonly int _witnessPort = FreePort.Next();
    private ChildProcess? _witness;

    public WitnessTests()
    {
        _dataDir = Path.Combine(_root, "data");
        ChildProcess.AdminSucceeds("init", "--data-dir", _dataDir);
    }

    private string WitnessUrl => $"http://127.0.0.1:{_witnessPort}/";

    private string WitnessFile => Path.Combine(_root, "offsite", "witness.jsonl");

    private string Db => Path.Combine(_dataDir, "custody.db");

    private string AuditKey => Path.Combine(_dataDir, "audit.vkey");

    [Fact]
    public async Task A_rolled_back_ledger_is_caught_by_the_witness_and_not_signed_over()
    {
        await StartWitnessAsync();
        await using (var daemon = await Daemon.StartAsync(this, Service()))
            await daemon.RecordAndWitnessAsync(4);
        var backup = Path.Combine(_root, "backup");
        CopyLedger(_dataDir, backup);
        await using (var daemon = await Daemon.StartAsync(this, Service()))
            await daemon.RecordAndWitnessAsync(4);
        CopyLedger(backup, _dataDir); // the rollback: an older copy of the ledger, restored while the daemon is stopped

        AssertVerified(Verify()); // the file alone cannot show it
        await AssertCaughtAsync(Service(), "records were removed");
        Assert.Contains("were removed", Verify("--witness", WitnessUrl).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_history_rewritten_and_re_signed_with_the_hsm_key_is_caught_by_the_witness()
    {
        await StartWitnessAsync();
        await using (var daemon = await Daemon.StartAsync(this, Service()))
            await daemon.RecordAndWitnessAsync(4);
        RewriteAndResign(sequence: 1);

        AssertVerified(Verify()); // re-signed with the audit key in the data directory: consistent in itself
        await AssertCaughtAsync(Service(), "rewritten history");
        Assert.Contains("the log was rewritten", Verify("--witness", WitnessUrl).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_tail_is_caught_by_a_witness_file()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(WitnessFile)!);
        int signed;
        await using (var daemon = await Daemon.StartAsync(this, FileWitness()))
        {
            signed = await daemon.RecordAndWitnessAsync(3); // a checkpoint to cut back to
            await daemon.RecordAndWitnessAsync(3);
        }
        DeleteTail(atMost: signed);

        AssertVerified(Verify());
        await AssertCaughtAsync(FileWitness(), "records were removed");
        Assert.Contains("were removed", Verify("--witness", WitnessFile).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_witness_that_is_down_does_not_stop_signing_and_its_lag_shows_until_it_is_back()
    {
        await using var daemon = await Daemon.StartAsync(this, Service());
        await daemon.RecordAsync(3);
        var page = await Eventually.SucceedsAsync(async () =>
        {
            var p = await daemon.MetricsAsync();
            Assert.Equal(0, Metrics.Sample(p, "custody_audit_checkpoint_lag_records"));
            Assert.True(Metrics.Sample(p, $"custody_audit_witness_lag_records{{witness=\"{WitnessUrl}\"}}") > 0, p);
            return p;
        }, TimeSpan.FromSeconds(20));
        Assert.Equal(0, Metrics.Sample(page, $"custody_audit_witness_conflict{{witness=\"{WitnessUrl}\"}}"));
        var witnessMetrics = MonitoringTests.QueriedMetrics().Where(m => m.StartsWith("custody_audit_witness_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(witnessMetrics);
        Assert.All(witnessMetrics, m => Assert.Contains(Metrics.Samples(page), s => s.Name == m)); // what the dashboard and the alerts query

        await StartWitnessAsync();
        await daemon.RecordAsync(1);
        await Eventually.SucceedsAsync(async () =>
        {
            var p = await daemon.MetricsAsync();
            Assert.Equal(0, Metrics.Sample(p, $"custody_audit_witness_lag_records{{witness=\"{WitnessUrl}\"}}"));
            return p;
        }, TimeSpan.FromSeconds(90));
        AssertVerified(Verify("--witness", WitnessUrl));
    }

    public void Dispose()
    {
        _witness?.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>The daemon starts, refuses to sign over what the witness holds, says why in its log and its metrics.</summary>
    private async Task AssertCaughtAsync(string config, string reason)
    {
        ChildProcess.Result stopped;
        await using (var daemon = await Daemon.StartAsync(this, config))
        {
            await daemon.RecordAsync(2);
            await Eventually.SucceedsAsync(async () =>
            {
                var page = await daemon.MetricsAsync();
                Assert.Equal(1, Metrics.Sample(page, "custody_audit_witness_conflict"));
                Assert.Equal(1, Metrics.Sample(page, "custody_audit_checkpoint_failing"));
                Assert.True(Metrics.Sample(page, "custody_audit_checkpoint_lag_records") >= 2, page);
                return page;
            }, TimeSpan.FromSeconds(20));
            stopped = await daemon.StopAsync();
        }
        Assert.Contains(stopped.StderrLines, line => line.Contains("holds a checkpoint this audit log does not extend", StringComparison.Ordinal) && line.Contains(reason, StringComparison.Ordinal));
    }

    /// <summary>The witness service, with its key once it has one (a witness never started has none yet).</summary>
    private string Service()
    {
        var vkey = Path.Combine(_root, "witness", "witness.vkey");
        return Config(File.Exists(vkey) ? $$"""{ "Url": "{{WitnessUrl}}", "Key": "{{File.ReadAllText(vkey).Trim()}}" }""" : $$"""{ "Url": "{{WitnessUrl}}" }""");
    }

    private string FileWitness() => Config($$"""{ "File": "{{WitnessFile}}" }""");

    private string Config(string entry)
    {
        var path = Path.Combine(_root, $"custodyd-{Guid.NewGuid():n}.json");
        File.WriteAllText(path, $$"""{ "Audit": { "CheckpointIntervalSeconds": 0.2, "Witnesses": [ {{entry}} ] } }""");
        return path;
    }

    private async Task StartWitnessAsync() =>
        _witness = await ChildProcess.StartAsync(ChildProcess.CustodyAdmin,
            ["witness", "serve", "--data-dir", Path.Combine(_root, "witness"), "--listen", $"127.0.0.1:{_witnessPort}", "--log-key", AuditKey]);

    private static void AssertVerified(ChildProcess.Result verify) => Assert.True(verify.ExitCode == 0, verify.ToString());

    private ChildProcess.Result Verify(params string[] args) => ChildProcess.Admin(["audit", "verify", "--db", Db, "--key", AuditKey, .. args]);

    private static void CopyLedger(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            var source = Path.Combine(from, "custody.db" + suffix);
            var target = Path.Combine(to, "custody.db" + suffix);
            if (File.Exists(source)) File.Copy(source, target, overwrite: true);
            else File.Delete(target);
        }
    }

    /// <summary>What whoever holds the data directory can do: edit a record, rebuild the tree and re-sign every checkpoint with the HSM's audit key.</summary>
    private void RewriteAndResign(long sequence)
    {
        using var hsm = HsmConnection.Open(HsmSetup.Options(_dataDir, new HsmSettings()));
        var signer = new HsmCheckpointSigner(hsm.Keys, HsmKeyId.Parse(File.ReadAllText(Path.Combine(_dataDir, "audit-key.id")).Trim()), DataDirectory.AuditKeyName);
        using var c = Open();
        var data = (byte[])Scalar(c, $"SELECT data FROM audit_records WHERE seq = {sequence}")!;
        var record = AuditRecordEncoding.Decode(data) with { Principal = "someone-else" };
        var edited = AuditRecordEncoding.Encode(record);
        Execute(c, "UPDATE audit_records SET data = @data, principal = @principal, leaf_hash = @leaf WHERE seq = @seq",
            ("@data", edited), ("@principal", record.Principal), ("@leaf", MerkleHash.Leaf(edited)), ("@seq", sequence));
        var tree = Tree(c, long.MaxValue);
        WriteHead(c, tree.State(tree.Size));
        foreach (var (index, size) in Checkpoints(c))
            Execute(c, "UPDATE audit_checkpoints SET note = @note WHERE idx = @idx",
                ("@note", new Checkpoint(DataDirectory.AuditKeyName, size, tree.Root(size)).Sign(signer)), ("@idx", index));
    }

    /// <summary>
    /// Cuts the newest records with the checkpoints that covered them, back to the newest checkpoint of
    /// at most <paramref name="atMost"/> records (as a careful forger would: no unsigned tail is left to
    /// notice), and moves the head back: the file verifies.
    /// </summary>
    private void DeleteTail(long atMost)
    {
        using var c = Open();
        if (Scalar(c, $"SELECT max(tree_size) FROM audit_checkpoints WHERE tree_size <= {atMost}") is not long keep)
            throw new InvalidOperationException("no checkpoint left: keep more records");
        Execute(c, $"DELETE FROM audit_records WHERE seq >= {keep}; DELETE FROM audit_checkpoints WHERE tree_size > {keep}");
        var tree = Tree(c, keep);
        WriteHead(c, tree.State(tree.Size));
    }

    private SqliteConnection Open()
    {
        var c = new SqliteConnection($"Data Source={Db};Pooling=False");
        c.Open();
        Execute(c, "DROP TRIGGER IF EXISTS audit_records_no_delete; DROP TRIGGER IF EXISTS audit_records_no_update; DROP TRIGGER IF EXISTS audit_checkpoints_no_update; DROP TRIGGER IF EXISTS audit_checkpoints_no_delete;");
        return c;
    }

    private static MerkleTree Tree(SqliteConnection c, long size)
    {
        var tree = new MerkleTree();
        using var read = c.CreateCommand();
        read.CommandText = "SELECT leaf_hash FROM audit_records WHERE seq < @size ORDER BY seq";
        read.Parameters.AddWithValue("@size", size);
        using var rows = read.ExecuteReader();
        while (rows.Read()) tree.Append((byte[])rows.GetValue(0));
        return tree;
    }

    private static void WriteHead(SqliteConnection c, MerkleTreeState tree) =>
        Execute(c, "UPDATE audit_head SET size = @size, edge = @edge", ("@size", tree.Size), ("@edge", tree.RightEdge.SelectMany(h => h).ToArray()));

    private static List<(long Index, long Size)> Checkpoints(SqliteConnection c)
    {
        using var read = c.CreateCommand();
        read.CommandText = "SELECT idx, tree_size FROM audit_checkpoints ORDER BY idx";
        using var rows = read.ExecuteReader();
        var list = new List<(long, long)>();
        while (rows.Read()) list.Add((rows.GetInt64(0), rows.GetInt64(1)));
        return list;
    }

    private static object? Scalar(SqliteConnection c, string sql)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection c, string sql, params (string Name, object Value)[] args)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in args) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    /// <summary>custodyd as a process, with the admin token init wrote, and what a test asks of it.</summary>
    private sealed class Daemon : IAsyncDisposable
    {
        private readonly ChildProcess _process;
        private readonly GrpcChannel _channel;
        private readonly string _token;
        private readonly int _metricsPort;
        private readonly WitnessTests _tests;
        private bool _stopped;

        private Daemon(WitnessTests tests, ChildProcess process, int port, int metricsPort)
        {
            _tests = tests;
            _process = process;
            _metricsPort = metricsPort;
            _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
            _token = File.ReadAllText(Path.Combine(tests._dataDir, "admin.token")).Trim();
        }

        public static async Task<Daemon> StartAsync(WitnessTests tests, string config)
        {
            var (port, metricsPort) = (FreePort.Next(), FreePort.Next());
            var process = await ChildProcess.StartAsync(ChildProcess.Custodyd,
                ["--data-dir", tests._dataDir, "--config", config, "--port", port.ToString(CultureInfo.InvariantCulture), "--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture), "--http-port", "0"]);
            return new Daemon(tests, process, port, metricsPort);
        }

        /// <summary>Audit records through the API: a global freeze and its lifting are one record each.</summary>
        public async Task RecordAsync(int records)
        {
            var policy = new V1.PolicyService.PolicyServiceClient(_channel);
            for (var i = 0; i < records; i++)
            {
                if (i % 2 == 0) await policy.FreezeAsync(new V1.FreezeRequest { Reason = "witness test" }, DaemonFixture.Bearer(_token));
                else await policy.UnfreezeAsync(new V1.UnfreezeRequest(), DaemonFixture.Bearer(_token));
            }
            if (records % 2 == 1) await policy.UnfreezeAsync(new V1.UnfreezeRequest(), DaemonFixture.Bearer(_token));
        }

        /// <summary>Writes records and waits until every witness holds the checkpoint that signs them; returns the log's size.</summary>
        public async Task<int> RecordAndWitnessAsync(int records)
        {
            await RecordAsync(records);
            var page = await Eventually.SucceedsAsync(async () =>
            {
                var p = await MetricsAsync();
                Assert.Equal(0, Metrics.Sample(p, "custody_audit_checkpoint_lag_records"));
                Assert.All(Metrics.Samples(p).Where(s => s.Name == "custody_audit_witness_lag_records"), s => Assert.Equal(0, s.Value));
                Assert.Contains(Metrics.Samples(p), s => s.Name == "custody_audit_witness_lag_records");
                return p;
            }, TimeSpan.FromSeconds(30));
            return (int)Metrics.Sample(page, "custody_audit_log_records");
        }

        public async Task<string> MetricsAsync()
        {
            using var http = new HttpClient();
            return await http.GetStringAsync($"http://127.0.0.1:{_metricsPort}/metrics");
        }

        public async Task<ChildProcess.Result> StopAsync()
        {
            _stopped = true;
            return await _process.StopAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stopped)
            {
                var stopped = await StopAsync();
                Assert.True(stopped.ExitCode == 0, stopped.ToString());
            }
            _process.Dispose();
            _channel.Dispose();
            _ = _tests;
        }
    }
}
