using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Custody.TestKit;

/// <summary>
/// A throwaway PostgreSQL cluster for one test run: initdb into a temporary directory (as the
/// postgres user when the run is root, since the server refuses to run as root), a free loopback
/// port and a socket directory of its own, a superuser and a "custody" role whose passwords are
/// generated for this run and handed over in files, never in argv. It never touches a system
/// service. Stopped and removed when the test process exits, and by a watchdog shell if the
/// process is killed first. Each test gets a fresh database (<see cref="CreateDatabase"/>).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PostgresCluster
{
    private static readonly Lazy<PostgresCluster> Instance = new(() => new PostgresCluster(), LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _databases;

    private readonly string _bin;
    private readonly string _superPassword;

    /// <summary>The run's cluster, started on first use.</summary>
    public static PostgresCluster Shared => Instance.Value;

    public string Directory { get; }

    public int Port { get; }

    /// <summary>The "custody" role's password, as a daemon reads it from its connection-string file.</summary>
    public string Password { get; }

    private PostgresCluster()
    {
        _bin = FindBinaries();
        Directory = System.IO.Directory.CreateTempSubdirectory("custody-pg-").FullName;
        Port = FreePort();
        _superPassword = NewPassword();
        Password = NewPassword();
        var data = Path.Combine(Directory, "data");
        var pwfile = Path.Combine(Directory, "pwfile");
        File.WriteAllText(pwfile, _superPassword + "\n");
        File.SetUnixFileMode(pwfile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (AsRoot) Run("chown", "-R", "postgres:postgres", Directory);
        try
        {
            RunAsOwner(Path.Combine(_bin, "initdb"), "-D", data, "-U", "postgres", "--auth=scram-sha-256", "--pwfile=" + pwfile,
                "--encoding=UTF8", "--locale=C", "--no-instructions");
            File.Delete(pwfile);
            // Fit for 2 cores and several daemons' pools; durable as production (fsync and
            // synchronous_commit stay on). Only loopback and a socket directory of its own.
            File.AppendAllText(Path.Combine(data, "postgresql.conf"), $"""

                listen_addresses = '127.0.0.1'
                port = {Port}
                unix_socket_directories = '{Directory}'
                max_connections = 300
                shared_buffers = 64MB
                logging_collector = off
                log_min_messages = warning
                """);
            RunAsOwner(Path.Combine(_bin, "pg_ctl"), "-D", data, "-l", Path.Combine(Directory, "server.log"), "-w", "-t", "60", "start");
            StartWatchdog(data);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
            using var connection = new NpgsqlConnection(Admin("postgres"));
            connection.Open();
            using var role = new NpgsqlCommand($"CREATE ROLE custody LOGIN PASSWORD '{Password}' CREATEDB", connection);
            role.ExecuteNonQuery();
        }
        catch
        {
            Stop();
            throw;
        }
    }

    /// <summary>The superuser's connection string to <paramref name="database"/> (tests that tamper or fault the store).</summary>
    public string Admin(string database) => ConnectionString(database, "postgres", _superPassword);

    /// <summary>A fresh database owned by the "custody" role; its connection string (password included, for the test only).</summary>
    public string CreateDatabase(string prefix = "ledger")
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}".ToLowerInvariant();
        using var connection = new NpgsqlConnection(Admin("postgres"));
        connection.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" OWNER custody", connection);
        create.ExecuteNonQuery();
        return ConnectionString(name, "custody", Password);
    }

    /// <summary>Runs statements as the superuser on <paramref name="database"/>.</summary>
    public void Execute(string database, string sql)
    {
        using var connection = new NpgsqlConnection(Admin(database));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public static string DatabaseOf(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    /// <summary>The same connection string without its password (what a daemon's configuration holds; the password comes from elsewhere).</summary>
    public static string WithoutPassword(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Password = null }.ConnectionString;

    private string ConnectionString(string database, string user, string password) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = database,
        Username = user,
        Password = password,
        Pooling = true,
        MaxPoolSize = 50,
        Timeout = 30,
    }.ConnectionString;

    private void Stop()
    {
        try
        {
            var data = Path.Combine(Directory, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
                RunAsOwner(Path.Combine(_bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop");
        }
        catch (Exception)
        {
            // Removing the directory below still ends the cluster's life; the watchdog stops a server left behind.
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // If this process dies without running its exit handlers (kill -9, a crashed test host),
    // a shell that outlives it stops the server and removes the directory.
    private void StartWatchdog(string data)
    {
        var pgctl = Path.Combine(_bin, "pg_ctl");
        var stop = AsRoot ? $"runuser -u postgres -- '{pgctl}' -D '{data}' -m immediate stop" : $"'{pgctl}' -D '{data}' -m immediate stop";
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 2; done; " +
                     $"[ -f '{data}/postmaster.pid' ] && {stop} >/dev/null 2>&1; rm -rf '{Directory}'";
        var start = new ProcessStartInfo("setsid", ["sh", "-c", script])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var watchdog = Process.Start(start);
    }

    private static bool AsRoot => Environment.UserName == "root";

    private static void RunAsOwner(string program, params string[] args)
    {
        if (AsRoot) Run("runuser", ["-u", "postgres", "--", program, .. args]);
        else Run(program, args);
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {stdout.Result}{stderr.Result}");
    }

    /// <summary>The newest PostgreSQL server installed by Debian's packages (scripts/test.sh installs postgresql when missing).</summary>
    private static string FindBinaries()
    {
        var found = System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb): run scripts/test.sh, which installs it, or apt-get install postgresql");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Letters and digits only: safe inside a connection string and a SQL literal.
    private static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
