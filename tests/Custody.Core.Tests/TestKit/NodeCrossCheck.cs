using System.Diagnostics;
using System.Text;

namespace Custody.Core.Tests.TestKit;

/// <summary>
/// Runs a differential test helper under tests/crosscheck/&lt;name&gt;/ (node + its own
/// node_modules): the request goes to crosscheck.mjs on stdin, its JSON answer comes back.
/// </summary>
internal static class NodeCrossCheck
{
    public static string? FindFolder(string name, string probeModule)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "tests", "crosscheck", name);
            if (Directory.Exists(Path.Combine(folder, "node_modules", probeModule))) return folder;
        }
        return null;
    }

    public static bool NodeOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Any(p => File.Exists(Path.Combine(p, "node")));

    public static string Run(string name, string probeModule, string request, string script = "crosscheck.mjs")
    {
        var folder = FindFolder(name, probeModule) ?? throw new InvalidOperationException($"tests/crosscheck/{name} is not installed");
        var start = new ProcessStartInfo("node", script)
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var error = node.StandardError.ReadToEndAsync();
        node.StandardInput.Write(request);
        node.StandardInput.Close();
        Assert.True(node.WaitForExit(TimeSpan.FromMinutes(2)), "node did not finish");
        Assert.True(node.ExitCode == 0, error.Result);
        return output.Result;
    }
}

/// <summary>A fact that runs only where node and tests/crosscheck/&lt;name&gt;/node_modules/&lt;probe&gt; exist.</summary>
public sealed class NodeCrossCheckFactAttribute : FactAttribute
{
    public NodeCrossCheckFactAttribute(string name, string probeModule)
    {
        if (NodeCrossCheck.FindFolder(name, probeModule) is null) Skip = $"tests/crosscheck/{name}/node_modules not found (run npm ci there)";
        else if (!NodeCrossCheck.NodeOnPath()) Skip = "node is not installed";
    }
}

/// <summary>A theory that runs only where node and tests/crosscheck/&lt;name&gt;/node_modules/&lt;probe&gt; exist.</summary>
public sealed class NodeCrossCheckTheoryAttribute : TheoryAttribute
{
    public NodeCrossCheckTheoryAttribute(string name, string probeModule)
    {
        if (NodeCrossCheck.FindFolder(name, probeModule) is null) Skip = $"tests/crosscheck/{name}/node_modules not found (run npm ci there)";
        else if (!NodeCrossCheck.NodeOnPath()) Skip = "node is not installed";
    }
}
