using System.Text.RegularExpressions;

namespace Custody.Daemon.Tests;

/// <summary>
/// README.md's walkthrough, run as written: its ```sh blocks in order in one bash session, against
/// a real custodyd (the binary) on free ports with a fresh installation, with custody-admin and curl
/// as a newcomer has them. Each ```text block after a ```sh block lists lines its output must hold,
/// in order ("…" stands for anything). So the README cannot drift from the code.
/// </summary>
public class WalkthroughTests
{
    private const string Heading = "## Walkthrough";

    [Fact]
    public async Task The_readme_walkthrough_runs_as_written()
    {
        var blocks = Blocks(await File.ReadAllTextAsync(Repository.File("README.md")));
        Assert.True(blocks.Count(b => b.Language == "sh") >= 5, "the walkthrough's ```sh blocks were not found");
        var dataDir = Directory.CreateTempSubdirectory("custody-walkthrough-").FullName;
        try
        {
            ChildProcess.AdminSucceeds("init", "--data-dir", dataDir);
            int port = FreePort.Next(), httpPort = FreePort.Next();
            using var daemon = await ChildProcess.StartAsync(ChildProcess.Custodyd,
                ["--data-dir", dataDir, "--port", port.ToString(), "--http-port", httpPort.ToString(), "--metrics-port", "0"]);

            var script = new System.Text.StringBuilder("set -euo pipefail\n");
            var shell = blocks.Where(b => b.Language == "sh").ToList();
            for (var i = 0; i < shell.Count; i++)
                script.Append($"echo '@@block {i}@@'\n{{\n{shell[i].Text}\n}} 2>&1\n");
            var result = ChildProcess.Run(["bash", "-c", script.ToString()], [], new Dictionary<string, string>
            {
                ["CUSTODY_DATA_DIR"] = dataDir,
                ["CUSTODY_PORT"] = port.ToString(),
                ["CUSTODY_HTTP_PORT"] = httpPort.ToString(),
            }, timeout: TimeSpan.FromMinutes(3), workingDirectory: Repository.Root);
            Assert.True(result.ExitCode == 0, "the walkthrough stopped:\n" + result);

            var outputs = Regex.Split(result.Stdout, @"^@@block \d+@@$", RegexOptions.Multiline).Skip(1).ToList();
            Assert.Equal(shell.Count, outputs.Count);
            for (var i = 0; i < blocks.Count - 1; i++)
            {
                if (blocks[i].Language != "sh" || blocks[i + 1].Language != "text") continue;
                var output = outputs[shell.IndexOf(blocks[i])].Split('\n');
                var at = 0;
                foreach (var expected in blocks[i + 1].Text.Split('\n').Where(l => l.Length > 0))
                {
                    var pattern = new Regex("^" + string.Join(".*", expected.Split('…').Select(Regex.Escape)) + "$");
                    var found = Array.FindIndex(output, at, line => pattern.IsMatch(line));
                    Assert.True(found >= 0, $"walkthrough block {shell.IndexOf(blocks[i])}: no line like\n  {expected}\nafter line {at} of its output:\n{string.Join('\n', output)}");
                    at = found + 1;
                }
            }
            Assert.Equal(0, (await daemon.StopAsync()).ExitCode);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>The fenced blocks of the walkthrough section, in order.</summary>
    private static List<(string Language, string Text)> Blocks(string readme)
    {
        var start = readme.IndexOf("\n" + Heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no '{Heading}' section");
        var end = readme.IndexOf("\n## ", start + Heading.Length, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        return Regex.Matches(section, @"^```(\w+)\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value.TrimEnd('\n'))).ToList();
    }
}
