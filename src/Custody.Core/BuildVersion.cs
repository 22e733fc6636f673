using System.Reflection;

namespace Custody.Core;

/// <summary>
/// The version a Custody binary was built as: <c>Version</c> from Directory.Build.props, and the
/// git commit when the build had one (the SDK appends it to the informational version as "+sha").
/// </summary>
public sealed record BuildVersion(string Version, string? Commit)
{
    public static BuildVersion Of(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? new BuildVersion(informational, null) : new BuildVersion(informational[..plus], informational[(plus + 1)..]);
    }

    /// <summary>"0.1.0 (commit abcdef1)", or "0.1.0" when built without git.</summary>
    public override string ToString() => Commit is null ? Version : $"{Version} (commit {Commit[..Math.Min(7, Commit.Length)]})";
}
