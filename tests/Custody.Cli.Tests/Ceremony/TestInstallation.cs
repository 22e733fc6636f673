namespace Custody.Cli.Tests.Ceremony;

/// <summary>Test helpers: a fresh installation by custody-admin init, a run that must succeed, the public record of a ceremony.</summary>
internal static class TestInstallation
{
    public static string Init(TempDirectory temp, string name)
    {
        var dir = Path.Combine(temp.Path, name);
        Admin("init", "--data-dir", dir);
        return dir;
    }

    public static ChildProcess.Result Admin(params string[] args)
    {
        var run = ChildProcess.Admin(args);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    /// <summary>Verifies the installation's audit log with its verifier key; returns the actions in order and the JSON export.</summary>
    public static (string[] Actions, string Export) Audit(string dataDir)
    {
        var db = Path.Combine(dataDir, "custody.db");
        var verify = Admin("audit", "verify", "--db", db, "--key", Path.Combine(dataDir, "audit.vkey"));
        Assert.StartsWith("audit log intact: ", verify.Stdout, StringComparison.Ordinal);
        var export = Admin("audit", "export", "--db", db);
        var actions = export.Lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("action").GetString()!).ToArray();
        return (actions, export.Stdout);
    }

    /// <summary>The fingerprint and address lines: what must be equal between generation and restore.</summary>
    public static string[] Record(ChildProcess.Result run)
    {
        var lines = run.Lines.Where(l => l.StartsWith("fingerprint: ", StringComparison.Ordinal) || l.StartsWith("address ", StringComparison.Ordinal)).ToArray();
        Assert.Matches("^fingerprint: [0-9a-f]{8}$", lines[0]);
        Assert.True(lines.Length >= 7, run.ToString()); // btc, btc-testnet, …, eth, trx, sol
        return lines;
    }
}
