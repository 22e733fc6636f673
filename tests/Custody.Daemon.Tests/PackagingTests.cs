using Custody.Core;
using Custody.V1;
using Grpc.Net.Client;

namespace Custody.Daemon.Tests;

/// <summary>
/// scripts/package.sh end to end: it builds the tarball and the .deb; the unit passes systemd's
/// checks; dpkg installs the .deb into a temporary root (its maintainer scripts run there,
/// chrootless, creating the service user and the data directory); the installed custody-admin
/// creates an installation in that data directory and the installed custodyd, started with the
/// installed configuration, answers Ping with the admin token and stops on SIGTERM.
/// </summary>
public class PackagingTests
{
    private static readonly TimeSpan BuildTime = TimeSpan.FromMinutes(10);
    private static readonly string Version = BuildVersion.Of(typeof(DaemonHost).Assembly).ToString();

    /// <summary>Lines of the unit the service's safety rests on (docs/packaging.md says why each is there).</summary>
    private static readonly string[] Hardening =
    [
        "User=custody", "ExecStart=/usr/lib/custody/custodyd --config /etc/custody/custodyd.json", "StateDirectory=custody",
        "UMask=0077", "LimitCORE=0", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
        "CapabilityBoundingSet=",
    ];

    [Fact]
    public async Task The_package_installs_into_a_root_where_its_daemon_starts_and_answers()
    {
        var work = Directory.CreateTempSubdirectory("custody-package-tests-").FullName;
        try
        {
            var built = ChildProcess.Succeed(["bash", Repository.File("scripts", "package.sh")], ["--out", Path.Combine(work, "dist")], BuildTime);
            var tarball = Assert.Single(built.StdoutLines, line => line.EndsWith(".tar.gz", StringComparison.Ordinal));
            var deb = Assert.Single(built.StdoutLines, line => line.EndsWith(".deb", StringComparison.Ordinal));
            Assert.Equal(TarballFiles(tarball), DebFiles(deb));

            var root = Path.Combine(work, "root");
            foreach (var dir in new[] { "info", "updates" }) Directory.CreateDirectory(Path.Combine(root, "var", "lib", "dpkg", dir));
            File.WriteAllText(Path.Combine(root, "var", "lib", "dpkg", "status"), "");
            // The root holds none of the dependencies; this host has them (scripts/test.sh installs them).
            ChildProcess.Succeed(["dpkg"], [$"--root={root}", "--force-depends", "--force-script-chrootless", "--log=/dev/null", "--install", deb]);
            Assert.Contains(File.ReadAllLines(Path.Combine(root, "etc", "passwd")), line => line.StartsWith("custody:x:", StringComparison.Ordinal) && line.Contains(":/var/lib/custody:", StringComparison.Ordinal));
            var dataDir = Path.Combine(root, "var", "lib", "custody");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dataDir));

            CheckUnit(root, work);

            var installed = Path.Combine(root, "usr", "lib", "custody", "custodyd");
            Assert.Equal([$"custodyd {Version}"], ChildProcess.Succeed([installed], ["--version"]).StdoutLines);
            // The console (off by default) is served from the files beside the binary.
            foreach (var asset in new[] { "index.html", "app.js", "console.css" })
                Assert.True(File.Exists(Path.Combine(root, "usr", "lib", "custody", "console", asset)), $"the package lacks console/{asset}");
            ChildProcess.Succeed([Path.Combine(root, "usr", "bin", "custody-admin")], ["init", "--data-dir", dataDir]);
            var port = FreePort.Next();
            using var daemon = await ChildProcess.StartAsync([installed],
                ["--config", Path.Combine(root, "etc", "custody", "custodyd.json"), "--data-dir", dataDir, "--port", port.ToString(), "--metrics-port", "0", "--http-port", "0"]);
            using (var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}"))
            {
                var token = File.ReadAllText(Path.Combine(dataDir, "admin.token")).Trim();
                var ping = await new SystemService.SystemServiceClient(channel).PingAsync(new PingRequest(), DaemonFixture.Bearer(token));
                Assert.Equal("admin", ping.Principal);
                Assert.Equal(Version, ping.Version);
            }
            var stopped = await daemon.StopAsync();
            Assert.True(stopped.ExitCode == 0, stopped.ToString());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// systemd-analyze reads the installed unit as systemd would. Its root needs the system's own
    /// units (the unit pulls in sysinit.target and the like) and the binary ExecStart names.
    /// </summary>
    private static void CheckUnit(string root, string work)
    {
        var unit = Path.Combine(root, "usr", "lib", "systemd", "system", "custodyd.service");
        var lines = File.ReadAllLines(unit);
        foreach (var expected in Hardening)
            Assert.Contains(expected, lines);
        Assert.DoesNotContain(lines, line => line.StartsWith("MemoryDenyWriteExecute=", StringComparison.Ordinal));

        var verifyRoot = Path.Combine(work, "verify");
        var units = Directory.CreateDirectory(Path.Combine(verifyRoot, "usr", "lib", "systemd", "system")).FullName;
        ChildProcess.Succeed(["cp"], ["-r", "/usr/lib/systemd/system/.", units + "/"]);
        File.Copy(unit, Path.Combine(units, "custodyd.service"), overwrite: true);
        Directory.CreateDirectory(Path.Combine(verifyRoot, "usr", "lib", "custody"));
        File.Copy(Path.Combine(root, "usr", "lib", "custody", "custodyd"), Path.Combine(verifyRoot, "usr", "lib", "custody", "custodyd"));

        var verify = ChildProcess.Succeed(["systemd-analyze"], ["verify", $"--root={verifyRoot}", "custodyd.service"]);
        Assert.DoesNotContain(verify.StderrLines, line => line.Contains("custodyd.service", StringComparison.Ordinal));
        // systemd's own exposure score (0 safest, 10 worst), offline: 3.0 with the unit as it is.
        ChildProcess.Succeed(["systemd-analyze"], ["security", "--offline=true", $"--root={verifyRoot}", "--threshold=30", "custodyd.service"]);
    }

    private static List<string> TarballFiles(string tarball) =>
        [.. ChildProcess.Succeed(["tar"], ["--list", "--gzip", "--file", tarball]).StdoutLines
            .Select(path => path[(path.IndexOf('/', StringComparison.Ordinal) + 1)..].TrimEnd('/'))
            .Where(path => path.Length > 0).Order(StringComparer.Ordinal)];

    /// <summary>dpkg-deb lists "./usr/bin/custody-admin -> ../lib/custody/custody-admin"; the path is the sixth field.</summary>
    private static List<string> DebFiles(string deb) =>
        [.. ChildProcess.Succeed(["dpkg-deb"], ["--contents", deb]).StdoutLines
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5])
            .Select(path => path.TrimStart('.').Trim('/'))
            .Where(path => path.Length > 0).Order(StringComparer.Ordinal)];
}
