namespace Custody.TestKit;

/// <summary>
/// A JavaScript helper folder of the repository (its package.json and lock file; scripts/test.sh runs
/// npm ci there), run with node: the independent implementations under tests/crosscheck and the
/// OpenAPI validator under tests/openapi. Tests that need one skip, saying why, where node or the
/// folder's node_modules are missing.
/// </summary>
public static class Node
{
    /// <summary>Why a helper cannot run here, or null when it can.</summary>
    public static string? Missing(string folder, string probeModule) =>
        !Directory.Exists(Repository.File([.. folder.Split('/'), "node_modules", .. probeModule.Split('/')])) ? $"{folder}/node_modules not found (npm ci there)"
        : !(Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(p => File.Exists(Path.Combine(p, "node"))) ? "node is not installed"
        : null;

    /// <summary>Runs <paramref name="script"/> in <paramref name="folder"/> with <paramref name="input"/> on stdin; its stdout, or the test fails with its output.</summary>
    public static string Run(string folder, string script, string input) =>
        ChildProcess.Succeed(["node", script], [], input: input, workingDirectory: Repository.File(folder.Split('/'))).Stdout;
}

/// <summary>A fact that runs only where node and the folder's node_modules/&lt;probe&gt; exist.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute(string folder, string probeModule) => Skip = Node.Missing(folder, probeModule);
}

/// <summary>A theory that runs only where node and the folder's node_modules/&lt;probe&gt; exist.</summary>
public sealed class NodeTheoryAttribute : TheoryAttribute
{
    public NodeTheoryAttribute(string folder, string probeModule) => Skip = Node.Missing(folder, probeModule);
}
