namespace Custody.Cli.Tests;

public class SelfCheckCommandTests
{
    private static readonly string[] HsmChecks =
    [
        "ok  login on /usr/lib/softhsm/libsofthsm2.so",
        "ok  random bytes",
        "ok  kek v1 seal/unseal",
        "ok  tampered blob rejected",
        "ok  wrong associated data rejected",
        "ok  test keys destroyed",
        "selfcheck: all 10 checks passed",
    ];

    [Fact]
    public void First_run_creates_the_token_and_the_second_reuses_it()
    {
        using var temp = new TempDirectory();
        var data = Path.Combine(temp.Path, "data");

        var first = ChildProcess.Admin("selfcheck", "--data-dir", data, "--token-label", "custody-cli-test");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains($"ok  token 'custody-cli-test' created in {Path.Combine(data, "hsm")}", first.Lines);
        Assert.Contains("ok  kek v1 created", first.Lines);
        Assert.Contains(first.Lines, l => l.StartsWith("ok  secp256k1 key sign/verify (key ", StringComparison.Ordinal) && l.EndsWith(", low-S)", StringComparison.Ordinal));
        Assert.Contains(first.Lines, l => l.StartsWith("ok  ed25519 key sign/verify (key ", StringComparison.Ordinal));
        Assert.All(HsmChecks, line => Assert.Contains(line, first.Lines));
        Assert.Equal(11, first.Lines.Length);

        var hsm = Path.Combine(data, "hsm");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
        foreach (var pinFile in new[] { "so.pin", "user.pin" })
        {
            var path = Path.Combine(hsm, pinFile);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Matches("^[0-9a-f]{32}$", File.ReadAllText(path));
            Assert.DoesNotContain(File.ReadAllText(path), first.Stdout + first.Stderr, StringComparison.Ordinal);
        }
        var pins = Directory.GetFiles(hsm, "*.pin").Select(File.ReadAllText).ToList();

        var second = ChildProcess.Admin("selfcheck", "--data-dir", data, "--token-label", "custody-cli-test");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("ok  token 'custody-cli-test' found", second.Lines);
        Assert.Contains("ok  kek v1 found", second.Lines);
        Assert.All(HsmChecks, line => Assert.Contains(line, second.Lines));
        Assert.Equal(pins, Directory.GetFiles(hsm, "*.pin").Select(File.ReadAllText).ToList()); // PINs kept
        Assert.Single(Directory.GetDirectories(Path.Combine(hsm, "tokens"))); // no second token
    }

    [Fact]
    public void A_wrong_PIN_fails_the_login_check_and_skips_the_rest()
    {
        using var temp = new TempDirectory();
        var data = Path.Combine(temp.Path, "data");
        Assert.Equal(0, ChildProcess.Admin("selfcheck", "--data-dir", data).ExitCode);
        var userPin = Path.Combine(data, "hsm", "user.pin");
        File.WriteAllText(userPin, "00000000000000000000000000000000");

        var run = ChildProcess.Admin("selfcheck", "--data-dir", data);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"FAIL login: user PIN incorrect for token 'custody' (read from PIN file {userPin})", run.Lines);
        Assert.Contains("skip kek v1 seal/unseal", run.Lines);
        Assert.Equal("selfcheck: 1 of 10 checks failed, 8 skipped", run.Lines[^1]);
    }

    [Fact]
    public void A_module_that_cannot_load_fails_cleanly_and_no_token_is_created()
    {
        using var temp = new TempDirectory();
        var run = ChildProcess.Admin("selfcheck", "--data-dir", temp.Path, "--module", "/nonexistent/libvendor-pkcs11.so");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("FAIL login: cannot load PKCS#11 module /nonexistent/libvendor-pkcs11.so", run.Lines);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "hsm")));
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public void Missing_data_dir_is_a_usage_error()
    {
        var run = ChildProcess.Admin("selfcheck");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--data-dir", run.Stderr, StringComparison.Ordinal);
    }
}
