using System.Diagnostics;
using System.Text.Json;

namespace Custody.Core.Tests.Chains.CrossCheck;

/// <summary>
/// Runs tests/crosscheck/account/generate.mjs (ethers v6, @solana/web3.js v1) once and
/// hands its cases to the tests. <see cref="Folder"/> is null when node or the folder's
/// node_modules is missing.
/// </summary>
internal static class AccountCrossCheck
{
    private static readonly Lazy<string?> FolderLazy = new(FindFolder);
    private static readonly Lazy<JsonElement> CasesLazy = new(Generate);

    public static string? Folder => FolderLazy.Value;

    public static JsonElement Cases => CasesLazy.Value;

    private static string? FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "tests", "crosscheck", "account");
            if (Directory.Exists(folder))
                return Directory.Exists(Path.Combine(folder, "node_modules")) && NodeExists() ? folder : null;
        }
        return null;
    }

    private static bool NodeExists()
    {
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            if (node is null) return false;
            node.WaitForExit(10_000);
            return node.HasExited && node.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static JsonElement Generate()
    {
        var folder = Folder ?? throw new InvalidOperationException("cross-check folder not available");
        using var node = Process.Start(new ProcessStartInfo("node", "generate.mjs 20261124")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        if (!node.WaitForExit(120_000))
        {
            node.Kill(entireProcessTree: true);
            throw new TimeoutException("generate.mjs did not finish in 120 s");
        }
        if (node.ExitCode != 0) throw new InvalidOperationException("generate.mjs failed: " + stderr.Result);
        using var doc = JsonDocument.Parse(stdout.Result);
        return doc.RootElement.Clone();
    }
}

/// <summary>A fact that is skipped, saying why, when node or the cross-check packages are missing.</summary>
internal sealed class AccountCrossCheckFactAttribute : FactAttribute
{
    public AccountCrossCheckFactAttribute()
    {
        if (AccountCrossCheck.Folder is null)
            Skip = "node or tests/crosscheck/account/node_modules is missing (npm ci there to run the ethers / web3.js cross-checks)";
    }
}
