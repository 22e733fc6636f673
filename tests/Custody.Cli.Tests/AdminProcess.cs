using System.Diagnostics;

namespace Custody.Cli.Tests;

/// <summary>Runs the built custody-admin (the real binary, as an operator would) and captures its output.</summary>
internal static class AdminProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static Result Run(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "custody-admin.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
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
}
