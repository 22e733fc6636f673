namespace Custody.Daemon.Tests;

/// <summary>
/// The client examples under examples/clients, each run as its README says against the test
/// daemon: create a wallet, sign a transaction, retry it (the stored reply), check the audit
/// receipt. An example that stops working with the daemon fails here.
/// </summary>
[Collection(DaemonCollection.Name)]
public class ClientExampleTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private const string TypeScript = "examples/clients/typescript";

    [Fact]
    public void The_python_example_signs_over_http_json_and_verifies_its_receipt() =>
        Run(["python3", Repository.File("examples", "clients", "python", "custody_example.py")]);

    [NodeFact(TypeScript, "typescript")]
    public void The_typescript_examples_sign_over_grpc_and_over_fetch_and_verify_their_receipts()
    {
        // Compiled here (tsc from the folder's lock file), so a proto or API change that breaks the types fails too.
        var build = ChildProcess.Run(["node", Repository.File([.. TypeScript.Split('/'), "node_modules", "typescript", "bin", "tsc"]), "-p", Repository.File(TypeScript.Split('/'))], [],
            timeout: TimeSpan.FromMinutes(2));
        Assert.True(build.ExitCode == 0, build.ToString());
        Run(["node", Repository.File([.. TypeScript.Split('/'), "dist", "grpc.js"])]);
        Run(["node", Repository.File([.. TypeScript.Split('/'), "dist", "http.js"])]);
    }

    [Fact]
    public void The_csharp_example_signs_over_grpc_and_verifies_its_receipt()
    {
        // Built with the solution, in the configuration these tests were built in.
        var dll = Repository.File("examples", "clients", "csharp", "bin", Configuration, "net10.0", "CustodyExample.dll");
        Assert.True(File.Exists(dll), $"{dll} was not built (the example is part of Custody.sln)");
        Run(["dotnet", dll]);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private void Run(string[] command)
    {
        var tokens = Directory.CreateTempSubdirectory("custody-client-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(tokens, "admin.token"), daemon.AdminToken);
            File.WriteAllText(Path.Combine(tokens, "signer.token"), daemon.SignerToken); // signer-1: the fixture's global policy lets it send ETH
            var result = ChildProcess.Run(command, [], new Dictionary<string, string>
            {
                ["CUSTODY_API"] = $"http://127.0.0.1:{daemon.HttpPort}",
                ["CUSTODY_GRPC"] = command[0] == "node" ? $"127.0.0.1:{daemon.Port}" : $"http://127.0.0.1:{daemon.Port}",
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
