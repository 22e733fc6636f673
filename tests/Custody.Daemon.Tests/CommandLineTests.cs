using System.Net.Sockets;
using System.Text.Json;
using Custody.Core;

namespace Custody.Daemon.Tests;

/// <summary>A fresh installation (custody-admin init) that the child-process daemons of a test class start on.</summary>
public sealed class InstallationFixture : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("custody-cmdline-tests-").FullName;

    public string DataDir => Path.Combine(Root, "data");

    public InstallationFixture() => ChildProcess.AdminSucceeds("init", "--data-dir", DataDir);

    /// <summary>A file beside the data directory, for configuration files and the like.</summary>
    public string WriteFile(string name, string text)
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>custodyd's command line, configuration layers and logs, on the real binary in a child process.</summary>
public class CommandLineTests(InstallationFixture installation) : IClassFixture<InstallationFixture>
{
    private static readonly string Version = BuildVersion.Of(typeof(DaemonHost).Assembly).ToString();

    [Fact]
    public void Help_and_version_answer_without_a_data_directory_and_touch_nothing()
    {
        var empty = Directory.CreateTempSubdirectory("custody-help-").FullName;
        try
        {
            var environment = new Dictionary<string, string> { ["HOME"] = empty };
            var help = ChildProcess.Run(ChildProcess.Custodyd, ["--help"], environment);
            Assert.True(help.ExitCode == 0, help.ToString());
            var text = string.Join('\n', help.StdoutLines);
            Assert.StartsWith($"custodyd {Version}: ", text, StringComparison.Ordinal);
            foreach (var expected in new[] { "--config FILE", "--data-dir DIR", "--port N", "--log-format text|json", "--version", "packaging/custodyd.json", "docs/daemon.md" })
                Assert.Contains(expected, text, StringComparison.Ordinal);
            Assert.Empty(help.StderrLines);

            var version = ChildProcess.Run(ChildProcess.Custodyd, ["--version"], environment);
            Assert.True(version.ExitCode == 0, version.ToString());
            Assert.Equal([$"custodyd {Version}"], version.StdoutLines);
            Assert.Matches(@"^\d+\.\d+\.\d+( \(commit [0-9a-f]{7}\))?$", Version);
            Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--port", "abc" }, "Port (command line): 'abc' is not a whole number")]
    [InlineData(new[] { "--port", "70000" }, "Port (command line): 70000 is out of range: from 1 to 65535")]
    [InlineData(new[] { "--log-format", "xml" }, "LogFormat (command line): 'xml' is not one of text, json")]
    [InlineData(new[] { "--Tls:CertificatePath=/nonexistent/server.pem" }, "Tls:CertificatePath (command line): /nonexistent/server.pem does not exist")]
    [InlineData(new[] { "--Limits:Burts=5" }, "Limits:Burts (command line): not a configuration key")]
    [InlineData(new[] { "--Limits=5" }, "Limits (command line): a section, not a key")]
    [InlineData(new[] { "--Hsm:KeyRingCacheSeconds", "NaN" }, "Hsm:KeyRingCacheSeconds (command line): NaN is out of range: from 0 to 86400")]
    [InlineData(new[] { "--Logging:LogLevel:Default=Verbose" }, "Logging:LogLevel:Default (command line): 'Verbose' is not a log level")]
    // Kestrel would bind this beside the configured endpoint: plaintext on every interface.
    [InlineData(new[] { "--Kestrel:Endpoints:Open:Url=http://0.0.0.0:7444" }, "Kestrel:Endpoints:Open:Url (command line): not a configuration key")]
    [InlineData(new[] { "--config", "/nonexistent/custodyd.json" }, "--config /nonexistent/custodyd.json: no such file")]
    public void A_configuration_error_names_the_key_and_stops_before_listening(string[] args, string expected) =>
        AssertRefused([.. args], expected, exitCode: 1);

    [Theory]
    [InlineData(new[] { "serve" }, "unexpected argument 'serve'; see custodyd --help")]
    [InlineData(new[] { "-p", "7443" }, "unexpected argument '-p'; see custodyd --help")]
    [InlineData(new[] { "--port" }, "--port needs a value; see custodyd --help")]
    public void A_command_line_it_cannot_read_is_a_usage_error(string[] args, string expected) =>
        AssertRefused([.. args], expected, exitCode: 2);

    [Fact]
    public void A_configuration_file_is_checked_like_the_command_line_and_named()
    {
        var typo = installation.WriteFile("typo.json", """
            {
              // Burst, misspelt: left unnoticed, the default would apply.
              "Limits": { "Burts": 5 }
            }
            """);
        AssertRefused(["--config", typo], $"Limits:Burts ({typo}): not a configuration key", exitCode: 1);

        var broken = installation.WriteFile("broken.json", "{ \"Port\": 7443,\n  \"Limits\": { \"Burst\": 5 }\n");
        AssertRefused(["--config", broken], $"--config {broken}: ", exitCode: 1);

        var junk = installation.WriteFile("junk.pem", "not a certificate\n");
        AssertRefused([$"--Tls:CertificatePath={junk}"], "Tls:CertificatePath: ", exitCode: 1);
    }

    [Fact]
    public void An_environment_variable_inside_a_section_is_checked_and_named() =>
        AssertRefused([], "LIMITS:BURTS (environment variable CUSTODY_LIMITS__BURTS): not a configuration key", exitCode: 1,
            new Dictionary<string, string> { ["CUSTODY_LIMITS__BURTS"] = "5" });

    /// <summary>
    /// defaults &lt; appsettings.json &lt; --config &lt; CUSTODY_ environment &lt; command line; and nothing else:
    /// ASP.NET Core's unprefixed variables (PORT, Kestrel__…, ASPNETCORE_URLS) are not configuration.
    /// </summary>
    [Fact]
    public async Task Layers_override_in_order_and_nothing_else_is_configuration()
    {
        int filePort = FreePort.Next(), environmentPort = FreePort.Next(), commandLinePort = FreePort.Next();
        int fileMetrics = FreePort.Next(), environmentMetrics = FreePort.Next();
        int strayPort = FreePort.Next(), kestrelPort = FreePort.Next(), urlsPort = FreePort.Next();
        var config = installation.WriteFile("layers.json", $$"""
            {
              "Address": "localhost",
              "Port": {{filePort}},
              "MetricsPort": {{fileMetrics}},
              "DataDir": "/nonexistent/data"
            }
            """);
        var environment = new Dictionary<string, string>
        {
            ["CUSTODY_PORT"] = environmentPort.ToString(),
            ["CUSTODY_METRICSPORT"] = environmentMetrics.ToString(),
            ["CUSTODY_DATA_DIR"] = "/nonexistent/scripts-variable", // scripts/run.sh's, not a key
            ["PORT"] = strayPort.ToString(),
            ["Kestrel__Endpoints__Open__Url"] = $"http://127.0.0.1:{kestrelPort}",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{urlsPort}",
        };

        using var daemon = await ChildProcess.StartAsync(ChildProcess.Custodyd,
            ["--config", config, "--port", commandLinePort.ToString(), "--http-port", "0", "--data-dir", installation.DataDir], environment);
        foreach (var port in new[] { filePort, environmentPort, fileMetrics, strayPort, kestrelPort, urlsPort })
            Assert.False(Listens(port), $"something listens on {port}");
        Assert.True(Listens(environmentMetrics));
        var stopped = await daemon.StopAsync();

        var log = string.Join('\n', stopped.StderrLines);
        Assert.Contains($"Listening on localhost:{commandLinePort} ", log, StringComparison.Ordinal); // file's Address, command line's Port
        Assert.Contains($"Metrics on http://127.0.0.1:{environmentMetrics}/metrics", log, StringComparison.Ordinal); // environment over file
        Assert.Equal(0, stopped.ExitCode);
    }

    [Fact]
    public async Task Logs_are_json_lines_on_stderr_when_it_is_not_a_terminal()
    {
        var stopped = await StartAndStop([]);
        Assert.Empty(stopped.StdoutLines);
        Assert.Contains(stopped.StderrLines, line => line.Contains("Listening on ", StringComparison.Ordinal));
        foreach (var line in stopped.StderrLines)
        {
            using var entry = JsonDocument.Parse(line);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", entry.RootElement.GetProperty("Timestamp").GetString());
        }
    }

    [Fact]
    public async Task Logs_are_text_with_log_format_text()
    {
        var stopped = await StartAndStop(["--log-format", "text"]);
        Assert.Empty(stopped.StdoutLines);
        Assert.Contains(stopped.StderrLines, line => line.Contains(" info: Custody.Daemon[10] Listening on ", StringComparison.Ordinal));
        Assert.DoesNotContain(stopped.StderrLines, line => line.StartsWith('{'));
    }

    [Fact]
    public async Task Logs_are_text_by_default_on_a_terminal()
    {
        var port = FreePort.Next();
        using var daemon = await ChildProcess.StartAsync(
            ChildProcess.InTerminal(ChildProcess.Custodyd, ["--data-dir", installation.DataDir, "--port", port.ToString(), "--metrics-port", "0", "--http-port", "0"]), []);
        var stopped = await daemon.StopAsync();
        var listening = Assert.Single(stopped.StdoutLines, line => line.Contains("Listening on ", StringComparison.Ordinal));
        Assert.Contains($"Custody.Daemon[10] Listening on 127.0.0.1:{port} ", listening, StringComparison.Ordinal);
        Assert.DoesNotContain(stopped.StdoutLines, line => line.StartsWith('{'));
        Assert.Equal(0, stopped.ExitCode);
    }

    private async Task<ChildProcess.Result> StartAndStop(string[] args)
    {
        using var daemon = await ChildProcess.StartAsync(ChildProcess.Custodyd,
            ["--data-dir", installation.DataDir, "--port", FreePort.Next().ToString(), "--metrics-port", "0", "--http-port", "0", .. args]);
        var stopped = await daemon.StopAsync();
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        return stopped;
    }

    /// <summary>Refused with one line per problem on stderr, and never bound its port.</summary>
    private void AssertRefused(string[] args, string expected, int exitCode, IDictionary<string, string>? environment = null)
    {
        var port = FreePort.Next();
        var result = ChildProcess.Run(ChildProcess.Custodyd, ["--data-dir", installation.DataDir, "--port", port.ToString(), "--metrics-port", "0", "--http-port", "0", .. args], environment);
        Assert.True(result.ExitCode == exitCode, result.ToString());
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("custodyd: " + expected, line, StringComparison.Ordinal);
        Assert.Empty(result.StdoutLines);
        Assert.False(Listens(port));
    }

    private static bool Listens(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
