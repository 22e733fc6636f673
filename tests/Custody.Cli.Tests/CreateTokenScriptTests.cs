namespace Custody.Cli.Tests;

public class CreateTokenScriptTests
{
    [Fact]
    public void The_script_creates_a_token_from_PIN_files_that_selfcheck_then_finds()
    {
        using var temp = new TempDirectory();
        var hsm = Path.Combine(temp.Path, "data", "hsm");
        Directory.CreateDirectory(hsm);
        var soPin = WritePin(Path.Combine(hsm, "so.pin"), "so-pin-" + Guid.NewGuid().ToString("N"));
        var userPin = WritePin(Path.Combine(hsm, "user.pin"), "user-pin-" + Guid.NewGuid().ToString("N") + "\n");
        var script = Path.Combine(Repository.Root, "hsm-config", "create-token.sh");
        var admin = new Dictionary<string, string> { ["CUSTODY_ADMIN"] = $"dotnet {ChildProcess.AdminDll}" };

        var created = ChildProcess.Run(["bash"], [script, hsm, "custody-script", soPin, userPin], admin);
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal("token 'custody-script' created", created.Stdout.Trim());
        Assert.Contains($"directories.tokendir = {Path.Combine(hsm, "tokens")}", File.ReadAllText(Path.Combine(hsm, "softhsm2.conf")), StringComparison.Ordinal);

        var again = ChildProcess.Run(["bash"], [script, hsm, "custody-script", soPin, userPin], admin);
        Assert.Equal("token 'custody-script' already exists; left unchanged", again.Stdout.Trim());

        // The layout is the embedded one, so selfcheck logs in with the user PIN file the script used.
        var check = ChildProcess.Admin("selfcheck", "--data-dir", Path.Combine(temp.Path, "data"), "--token-label", "custody-script");
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("ok  token 'custody-script' found", check.Lines);
    }

    [Fact]
    public void The_script_refuses_missing_arguments_and_unreadable_PIN_files()
    {
        var script = Path.Combine(Repository.Root, "hsm-config", "create-token.sh");
        Assert.Equal(2, ChildProcess.Run(["bash"], [script, "/tmp/x"]).ExitCode);
        var missing = ChildProcess.Run(["bash"], [script, "/tmp/custody-never", "l", "/nonexistent/so.pin", "/nonexistent/user.pin"]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("cannot read PIN file /nonexistent/so.pin", missing.Stderr, StringComparison.Ordinal);
    }

    private static string WritePin(string path, string pin)
    {
        File.WriteAllText(path, pin);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
