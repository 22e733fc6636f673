using Custody.Core;

namespace Custody.Cli.Tests;

public class VersionTests
{
    [Fact]
    public void Version_names_the_tool_the_version_and_the_commit_as_custodyd_does()
    {
        var result = ChildProcess.Admin("--version");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([$"custody-admin {BuildVersion.Of(typeof(BuildVersion).Assembly)}"], result.Lines);
        Assert.Matches(@"^custody-admin \d+\.\d+\.\d+( \(commit [0-9a-f]{7}\))?$", result.Lines[0]);
    }
}
