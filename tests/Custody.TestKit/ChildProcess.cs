using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Custody.TestKit;

/// <summary>
/// The one way tests run a program as an operator or a service manager would (custody-admin,
/// custodyd, scripts): the real binary in a child process, its output collected line by line. The
/// environment is the test runner's without any CUSTODY_ variable (CI exports some) and without
/// SOFTHSM2_CONF (the binaries find their token's configuration in the data directory), plus what
/// a test gives; the working directory is the temporary directory.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    /// <summary>How long any child may take: generous, because suites run side by side on two cores.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A finished program: its exit code and its output, as lines and as text.</summary>
    public sealed record Result(int ExitCode, IReadOnlyList<string> StdoutLines, IReadOnlyList<string> StderrLines)
    {
        /// <summary>Standard output as text, each line ending in a newline.</summary>
        public string Stdout => string.Concat(StdoutLines.Select(l => l + "\n"));

        public string Stderr => string.Concat(StderrLines.Select(l => l + "\n"));

        /// <summary>The non-blank lines of standard output, trimmed.</summary>
        public string[] Lines => [.. StdoutLines.Select(l => l.Trim()).Where(l => l.Length > 0)];

        /// <summary>The non-blank lines of standard error, trimmed.</summary>
        public string[] ErrorLines => [.. StderrLines.Select(l => l.Trim()).Where(l => l.Length > 0)];

        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}stderr:\n{Stderr}";
    }

    /// <summary>The custodyd the build copied next to the test assembly, as "dotnet custodyd.dll".</summary>
    public static readonly string[] Custodyd = ["dotnet", Path.Combine(AppContext.BaseDirectory, "custodyd.dll")];

    /// <summary>The custody-admin.dll the build copied next to the test assembly.</summary>
    public static string AdminDll => Path.Combine(AppContext.BaseDirectory, "custody-admin.dll");

    /// <summary>"dotnet custody-admin.dll", as <see cref="Run"/> takes a command.</summary>
    public static string[] CustodyAdmin => ["dotnet", AdminDll];

    /// <summary>Runs custody-admin to its end.</summary>
    public static Result Admin(params string[] args) => Run(CustodyAdmin, args);

    /// <summary>Runs custody-admin and fails the test, with its output, unless it exits with 0.</summary>
    public static Result AdminSucceeds(params string[] args) => Succeed(CustodyAdmin, args);

    private ChildProcess(string[] command, IEnumerable<string> args, IDictionary<string, string>? environment, string? workingDirectory = null, string? input = null)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var arg in command.Skip(1).Concat(args)) start.ArgumentList.Add(arg);
        foreach (var name in start.Environment.Keys.Where(n => n.StartsWith("CUSTODY_", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment.Remove("SOFTHSM2_CONF"); // the daemon finds the token's configuration in the data directory
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Collect(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(_stderr, e.Data);
        _process.Start();
        _process.BeginOutputReadLine(); // before writing: a child that answers while it reads must not block on a full pipe
        _process.BeginErrorReadLine();
        _process.StandardInput.Write(input ?? "");
        _process.StandardInput.Close();
    }

    /// <summary>Runs a program to its end (custodyd --help, a configuration error, a build script), with <paramref name="input"/> on its stdin.</summary>
    public static Result Run(string[] command, IEnumerable<string> args, IDictionary<string, string>? environment = null, TimeSpan? timeout = null,
        string? workingDirectory = null, string? input = null)
    {
        using var child = new ChildProcess(command, args, environment, workingDirectory, input);
        if (!child._process.WaitForExit(timeout ?? Patience))
            throw new TimeoutException($"{string.Join(' ', command)} {string.Join(' ', args)} still runs after {timeout ?? Patience}: {child.Output()}");
        return child.Output();
    }

    /// <summary>Runs a program and fails the test, with its output, unless it exits with 0.</summary>
    public static Result Succeed(string[] command, IEnumerable<string> args, TimeSpan? timeout = null, string? workingDirectory = null, string? input = null)
    {
        var result = Run(command, args, timeout: timeout, workingDirectory: workingDirectory, input: input);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', command)} {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary>Starts custodyd and waits for its "Listening on" line; fails with its output if it exits first.</summary>
    public static async Task<ChildProcess> StartAsync(string[] command, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var daemon = new ChildProcess(command, args, environment);
        var exited = daemon._process.WaitForExitAsync();
        var first = await Task.WhenAny(daemon._listening.Task, exited, Task.Delay(Patience));
        if (first == daemon._listening.Task) return daemon;
        var output = daemon.Output();
        daemon.Dispose();
        throw new InvalidOperationException($"custodyd did not start listening: {output}");
    }

    /// <summary>
    /// Under a terminal: util-linux script gives the daemon a pseudo-terminal for stdin, stdout
    /// and stderr (all of it arrives on stdout here) and passes SIGTERM on to it.
    /// </summary>
    public static string[] InTerminal(string[] command, IEnumerable<string> args) =>
        ["script", "--quiet", "--flush", "--return", "--command", "exec " + string.Join(' ', command.Concat(args).Select(Quote)), "/dev/null"];

    /// <summary>SIGTERM, as systemd stops a service, then the exit code and everything it wrote.</summary>
    public async Task<Result> StopAsync()
    {
        // The shell's own kill: a kill binary (procps) is not on every host.
        using (var kill = Process.Start("sh", ["-c", $"kill -TERM {_process.Id}"]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(Patience);
        await _process.WaitForExitAsync(timeout.Token);
        return Output();
    }

    /// <summary>SIGKILL: the process ends where it stands, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private void Collect(ConcurrentQueue<string> lines, string? line)
    {
        if (line is null) return;
        lines.Enqueue(line);
        // Custody's own line, once Kestrel has bound every port ("Now listening on" is Kestrel's, per port).
        if (line.Contains("Listening on ", StringComparison.Ordinal)) _listening.TrySetResult();
    }

    private Result Output()
    {
        if (_process.HasExited) _process.WaitForExit(); // drains the asynchronous readers
        return new Result(_process.HasExited ? _process.ExitCode : -1, [.. _stdout], [.. _stderr]);
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
