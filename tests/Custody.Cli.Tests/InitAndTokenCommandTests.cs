namespace Custody.Cli.Tests;

public class InitAndTokenCommandTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void Init_creates_the_installation_once_and_tokens_are_created_listed_and_revoked()
    {
        using var temp = new TempDirectory();
        var dir = Path.Combine(temp.Path, "data");

        var init = ChildProcess.Admin("init", "--data-dir", dir);
        Assert.True(init.ExitCode == 0, init.ToString());
        var tokenFile = Assert.Single(init.Lines);
        Assert.Equal(Path.Combine(dir, "admin.token"), tokenFile);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(tokenFile));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(dir, "custody.db")));
        var admin = File.ReadAllText(tokenFile).Trim();
        Assert.StartsWith("cst_", admin, StringComparison.Ordinal);
        Assert.DoesNotContain(admin, init.Stdout + init.Stderr, StringComparison.Ordinal); // shown only in its file

        var again = ChildProcess.Admin("init", "--data-dir", dir);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("refusing to overwrite", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(admin, File.ReadAllText(tokenFile).Trim());

        var created = ChildProcess.Admin("token", "create", "--data-dir", dir, "--principal", "backend", "--roles", "signer,approver", "--wallets", "w_1,w_2");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.StartsWith("cst_", Assert.Single(created.Lines), StringComparison.Ordinal);
        var tokenId = created.Stderr.Split(' ')[1];
        Assert.StartsWith("tok_", tokenId, StringComparison.Ordinal);

        var listed = ChildProcess.Admin("token", "list", "--data-dir", dir);
        Assert.Contains(listed.Lines, l => l.StartsWith(tokenId, StringComparison.Ordinal) && l.Contains("backend\tsigner,approver\tw_1,w_2\tactive", StringComparison.Ordinal));
        Assert.DoesNotContain("cst_", listed.Stdout, StringComparison.Ordinal);

        Assert.Equal(0, ChildProcess.Admin("token", "revoke", "--data-dir", dir, "--token-id", tokenId).ExitCode);
        Assert.Equal(1, ChildProcess.Admin("token", "revoke", "--data-dir", dir, "--token-id", tokenId).ExitCode);
        Assert.Contains(ChildProcess.Admin("token", "list", "--data-dir", dir).Lines, l => l.StartsWith(tokenId, StringComparison.Ordinal) && l.Contains("revoked", StringComparison.Ordinal));

        // Both administrative actions are in the audit log, without the secret, and the log verifies.
        var export = ChildProcess.Admin("audit", "export", "--db", Path.Combine(dir, "custody.db"));
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains(export.Lines, l => l.Contains("token.create", StringComparison.Ordinal) && l.Contains(tokenId, StringComparison.Ordinal));
        Assert.Contains(export.Lines, l => l.Contains("token.revoke", StringComparison.Ordinal) && l.Contains(tokenId, StringComparison.Ordinal));
        Assert.DoesNotContain(Assert.Single(created.Lines), export.Stdout, StringComparison.Ordinal);
        var verify = ChildProcess.Admin("audit", "verify", "--db", Path.Combine(dir, "custody.db"), "--key", Path.Combine(dir, "audit.vkey"));
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public void Token_commands_refuse_bad_input_and_a_missing_installation()
    {
        using var temp = new TempDirectory();
        var missing = ChildProcess.Admin("token", "list", "--data-dir", temp.Path);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("custody-admin init", missing.Stderr, StringComparison.Ordinal);

        var dir = Path.Combine(temp.Path, "data");
        Assert.Equal(0, ChildProcess.Admin("init", "--data-dir", dir).ExitCode);
        var badRole = ChildProcess.Admin("token", "create", "--data-dir", dir, "--principal", "x", "--roles", "root");
        Assert.Equal(1, badRole.ExitCode);
        Assert.StartsWith("error: roles:", badRole.Stderr, StringComparison.Ordinal);

        var file = Path.Combine(temp.Path, "signer.token");
        Assert.Equal(0, ChildProcess.Admin("token", "create", "--data-dir", dir, "--principal", "x", "--roles", "signer", "--output", file).ExitCode);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
        Assert.Equal(1, ChildProcess.Admin("token", "create", "--data-dir", dir, "--principal", "x", "--roles", "signer", "--output", file).ExitCode);
    }
}
