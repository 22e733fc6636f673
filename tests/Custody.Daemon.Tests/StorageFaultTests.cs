using Custody.V1;
using Grpc.Core;
using Grpc.Health.V1;

namespace Custody.Daemon.Tests;

/// <summary>
/// Issue 15 item 14: a full disk and read-only data files reach clients as UNAVAILABLE with a reason
/// naming the fault (not INTERNAL), health says so, nothing is written, and signing comes back when
/// the fault goes. The installation lives on a small ext4 file system this test makes and mounts
/// through a loop device (root only, as CI runs); read-only is the ledger's files made immutable
/// (chattr +i), which ext4 enforces even on descriptors already open and root cannot write either.
/// (tmpfs lets an open descriptor write to an immutable file, so it cannot stand in.)
/// </summary>
public sealed class StorageFaultTests : IAsyncLifetime
{
    private readonly string _mount = Directory.CreateTempSubdirectory("custody-storage-fault-").FullName;
    private readonly string _image = Path.Combine(Path.GetTempPath(), $"custody-storage-fault-{Guid.NewGuid():N}.ext4");
    private DaemonFixture? _daemon;
    private string? _skip;

    public async Task InitializeAsync()
    {
        if (!RootFactAttribute.IsRoot) return;
        using (File.Create(_image)) { }
        using (var image = new FileStream(_image, FileMode.Open)) image.SetLength(64 << 20);
        if (Run("mkfs.ext4", "-q", _image) != 0 || Run("mount", "-o", "loop", _image, _mount) != 0)
        {
            _skip = "cannot make and loop-mount an ext4 image here";
            return;
        }
        _daemon = DaemonFixture.In(Path.Combine(_mount, "data"));
        await _daemon.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            foreach (var file in Directory.GetFiles(_daemon.DataDir, "custody.db*")) Run("chattr", "-i", file);
            await _daemon.DisposeAsync();
        }
        if (RootFactAttribute.IsRoot) Run("umount", _mount);
        Directory.Delete(_mount, recursive: true);
        File.Delete(_image);
    }

    [RootFact]
    public async Task A_full_disk_and_read_only_files_answer_unavailable_naming_the_fault_and_signing_recovers()
    {
        Assert.True(_skip is null, _skip);
        var daemon = _daemon!;
        var admin = DaemonFixture.Bearer(daemon.AdminToken);
        var signer = DaemonFixture.Bearer(daemon.SignerToken);
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "faults", Kind = V1.WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, admin);
        await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Index = 0 }, signer);
        Task<SignTransactionResponse> SignAsync(ulong nonce) => daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = $"fault-{nonce}", WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(nonce),
        }, signer).ResponseAsync;
        var health = new Health.HealthClient(daemon.Channel);
        await SignAsync(1);

        // Full: fill what is left of the file system. The write-ahead log is emptied first: SQLite
        // reuses a log's old frames in place, and a write there needs no new block, so whether the
        // next commit met the full disk would depend on when the log was last checkpointed.
        var ledgerFile = Path.Combine(daemon.DataDir, "custody.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={ledgerFile};Pooling=False"))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA busy_timeout = 60000; PRAGMA wal_checkpoint(TRUNCATE);";
            using var reader = checkpoint.ExecuteReader();
            reader.NextResult();
            Assert.True(reader.Read() && reader.GetInt64(0) == 0, "the log could not be checkpointed");
        }
        Assert.Equal(0, new FileInfo(ledgerFile + "-wal").Length);
        var filler = Path.Combine(_mount, "filler");
        Fill(filler);
        await Errors.RefusedAsync(StatusCode.Unavailable, "STORAGE_FULL", () => SignAsync(2));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
        File.Delete(filler);
        await SignAsync(2); // the same request id was never stored: it signs now
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

        // Read-only: the ledger's files refuse writes (not the -shm index, which SQLite maps into memory).
        var ledger = Path.Combine(daemon.DataDir, "custody.db");
        foreach (var file in new[] { ledger, ledger + "-wal" }) Assert.Equal(0, Run("chattr", "+i", file));
        try
        {
            await Errors.RefusedAsync(StatusCode.Unavailable, "STORAGE_READ_ONLY", () => SignAsync(3));
            var status = await health.CheckAsync(new HealthCheckRequest());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, status.Status);
        }
        finally
        {
            foreach (var file in new[] { ledger, ledger + "-wal" }) Run("chattr", "-i", file);
        }
        await SignAsync(3);

        // Nothing half-written: the log verifies, and every signature that answered has its one record.
        var auditor = DaemonFixture.Bearer(daemon.AuditorToken);
        Assert.True((await daemon.Audit.VerifyAsync(new VerifyAuditRequest(), auditor)).Intact);
        var signed = (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = wallet.WalletId, Action = "sign.transaction", Limit = 100 }, auditor)).Records;
        Assert.Equal(["fault-1", "fault-2", "fault-3"], signed.Select(r => r.Details["request_id"]));
        Assert.DoesNotContain(daemon.Logs.All, line => line.Contains("Internal error", StringComparison.Ordinal));
    }

    /// <summary>Writes zeros until the file system is full, to the byte.</summary>
    /// <remarks>
    /// ext4 refuses a write on its worst-case estimate of the blocks it will need (delayed
    /// allocation) and frees the rest of the estimate once the data is on disk, so one ENOSPC does
    /// not mean full: flush after every write and halve the size after every refusal, down to a byte.
    /// </remarks>
    private static void Fill(string path)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (var size = 1 << 16; size > 0;)
        {
            try
            {
                stream.Write(new byte[size]);
                stream.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
                size /= 2; // ENOSPC
            }
        }
    }

    private static int Run(string file, params string[] args) => ChildProcess.Run([file], args).ExitCode;
}

/// <summary>A test that needs root (mounting a file system, immutable files): skipped, saying so, otherwise. CI runs as root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public static bool IsRoot => Environment.UserName == "root";

    public RootFactAttribute()
    {
        if (!IsRoot) Skip = "needs root (mounts a tmpfs, makes files immutable)";
    }
}
