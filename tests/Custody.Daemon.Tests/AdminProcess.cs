using System.Diagnostics;

namespace Custody.Daemon.Tests;

/// <summary>Runs the built custody-admin binary, as an operator would, and captures its output.</summary>
internal static class AdminProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) => Run(null, args);

    /// <summary>As <see cref="Run(string[])"/>, with environment variables set (CUSTODY_STORAGE__ENGINE=postgres …).</summary>
    public static Result Run(IDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "custody-admin.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("SOFTHSM2_CONF"); // the CLI finds its own configuration in the data directory
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("custody-admin did not finish within a minute");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static Result Succeed(params string[] args) => Succeed(null, args);

    public static Result Succeed(IDictionary<string, string>? environment, params string[] args)
    {
        var result = Run(environment, args);
        Assert.True(result.ExitCode == 0, $"custody-admin {string.Join(' ', args)} failed ({result.ExitCode}): {result.Stderr}");
        return result;
    }
}
