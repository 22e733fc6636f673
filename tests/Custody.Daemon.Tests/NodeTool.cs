namespace Custody.Daemon.Tests;

/// <summary>
/// A JavaScript helper folder of the repository (its package.json and lock file; scripts/test.sh runs
/// npm ci there) run with node, as the crosscheck helpers are: tests that need one skip, saying why,
/// where node or its node_modules are missing.
/// </summary>
internal static class NodeTool
{
    public static string? Missing(string folder, string probeModule) =>
        !Directory.Exists(Repository.File([.. folder.Split('/'), "node_modules", .. probeModule.Split('/')])) ? $"{folder}/node_modules not found (npm ci there)"
        : !(Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(p => File.Exists(Path.Combine(p, "node"))) ? "node is not installed"
        : null;
}

/// <summary>A fact that runs only where node and the folder's node_modules/&lt;probe&gt; exist.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute(string folder, string probeModule) => Skip = NodeTool.Missing(folder, probeModule);
}
