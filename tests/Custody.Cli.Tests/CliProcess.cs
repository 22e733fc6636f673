using System.Diagnostics;

namespace Custody.Cli.Tests;

/// <summary>Runs the built custody-admin (or a script) as a child process, as an operator would.</summary>
internal static class CliProcess
{
    /// <summary>The custody-admin.dll the build copied next to this test assembly.</summary>
    public static string AdminDll => Path.Combine(AppContext.BaseDirectory, "custody-admin.dll");

    public static Result Admin(params string[] args) => Run("dotnet", [AdminDll, .. args]);

    public static Result Run(string program, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // The CLI must find its SoftHSM configuration by itself (libc setenv before the module loads).
        start.Environment.Remove("SOFTHSM2_CONF");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public override string ToString() => $"exit {ExitCode}\n{Stdout}\n{Stderr}";
    }
}
