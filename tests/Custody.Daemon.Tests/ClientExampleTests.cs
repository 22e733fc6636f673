namespace Custody.Daemon.Tests;

/// <summary>
/// The client examples under examples/clients, each run as its README says against the test
/// daemon: create a wallet, sign a transaction, check the audit receipt. An example that stops
/// working with the daemon fails here.
/// </summary>
[Collection(DaemonCollection.Name)]
public class ClientExampleTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    [Fact]
    public void The_python_example_signs_over_http_json_and_verifies_its_receipt()
    {
        var tokens = Directory.CreateTempSubdirectory("custody-client-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(tokens, "admin.token"), daemon.AdminToken);
            File.WriteAllText(Path.Combine(tokens, "signer.token"), daemon.SignerToken); // signer-1: the fixture's global policy lets it send ETH
            var result = ChildProcess.Run(["python3", Repository.File("examples", "clients", "python", "custody_example.py")], [], new Dictionary<string, string>
            {
                ["CUSTODY_API"] = $"http://127.0.0.1:{daemon.HttpPort}",
                ["CUSTODY_ADMIN_TOKEN"] = Path.Combine(tokens, "admin.token"),
                ["CUSTODY_SIGNER_TOKEN"] = Path.Combine(tokens, "signer.token"),
            }, timeout: TimeSpan.FromMinutes(1));
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains(result.StdoutLines, line => line.StartsWith("signed 0x", StringComparison.Ordinal) && line.Contains("(rule allow)", StringComparison.Ordinal));
            Assert.Matches(@"^audit record \d+ is in checkpoint \d+ of ", result.StdoutLines[^1]);
        }
        finally
        {
            Directory.Delete(tokens, recursive: true);
        }
    }
}
