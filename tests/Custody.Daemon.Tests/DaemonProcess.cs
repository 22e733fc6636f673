using System.Collections.Concurrent;
using System.Diagnostics;

namespace Custody.Daemon.Tests;

/// <summary>
/// custodyd as an operator or a service manager runs it: the real binary in a child process,
/// its output collected line by line. The environment is the test runner's without any
/// CUSTODY_ variable (CI exports some), plus what a test gives.
/// </summary>
internal sealed class DaemonProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public sealed record Result(int ExitCode, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{string.Join('\n', Stdout)}\nstderr:\n{string.Join('\n', Stderr)}";
    }

    /// <summary>The custodyd the build copied next to this test assembly, as "dotnet custodyd.dll".</summary>
    public static readonly string[] Built = ["dotnet", Path.Combine(AppContext.BaseDirectory, "custodyd.dll")];

    private DaemonProcess(string[] command, IEnumerable<string> args, IDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in command.Skip(1).Concat(args)) start.ArgumentList.Add(arg);
        foreach (var name in start.Environment.Keys.Where(n => n.StartsWith("CUSTODY_", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment.Remove("SOFTHSM2_CONF"); // the daemon finds the token's configuration in the data directory
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Collect(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(_stderr, e.Data);
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Runs custodyd to its end (--help, --version, a configuration error).</summary>
    public static Result Run(string[] command, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        using var daemon = new DaemonProcess(command, args, environment);
        if (!daemon._process.WaitForExit(Patience))
            throw new TimeoutException($"{string.Join(' ', command)} {string.Join(' ', args)} still runs after {Patience}: {daemon.Output()}");
        return daemon.Output();
    }

    /// <summary>Starts custodyd and waits for its "Listening on" line; fails with its output if it exits first.</summary>
    public static async Task<DaemonProcess> StartAsync(string[] command, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var daemon = new DaemonProcess(command, args, environment);
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
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(Patience);
        await _process.WaitForExitAsync(timeout.Token);
        return Output();
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
