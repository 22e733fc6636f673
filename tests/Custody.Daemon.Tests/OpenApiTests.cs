using System.Net;

namespace Custody.Daemon.Tests;

/// <summary>
/// The OpenAPI document the daemon generates from the proto at run time is the one committed as
/// docs/openapi.json (a route, field or comment changed in the proto without it fails here), and an
/// independent validator accepts it.
/// </summary>
[Collection(DaemonCollection.Name)]
public class OpenApiTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private static readonly string Committed = Repository.File("docs", "openapi.json");

    [Fact]
    public async Task The_served_document_is_the_committed_one()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync($"http://127.0.0.1:{daemon.HttpPort}/openapi/v1.json"); // no token: the schema is public
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        if (Environment.GetEnvironmentVariable("CUSTODY_UPDATE_OPENAPI") == "1")
            await File.WriteAllTextAsync(Committed, text); // the golden file's update, asked for by name
        var served = Lines(text);
        var committed = Lines(await File.ReadAllTextAsync(Committed));
        var first = Enumerable.Range(0, Math.Max(served.Length, committed.Length))
            .FirstOrDefault(i => i >= served.Length || i >= committed.Length || served[i] != committed[i], -1);
        Assert.True(first < 0,
            $"docs/openapi.json differs from the document the daemon serves, first at line {first + 1}:\n" +
            $"  committed: {committed.ElementAtOrDefault(first)}\n  served:    {served.ElementAtOrDefault(first)}\n" +
            "regenerate it: CUSTODY_UPDATE_OPENAPI=1 dotnet test tests/Custody.Daemon.Tests --filter OpenApiTests (or curl -s http://127.0.0.1:7444/openapi/v1.json > docs/openapi.json from a running daemon)");
    }

    [NodeFact("tests/openapi", "@apidevtools/swagger-parser")]
    public void The_committed_document_is_valid_openapi()
    {
        var result = ChildProcess.Run(["node", Repository.File("tests", "openapi", "validate.mjs")], [Committed]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^valid OpenAPI 3\.0\.\d+: \d+ operations$", Assert.Single(result.StdoutLines));
    }

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
}
