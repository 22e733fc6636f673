namespace Custody.Cli.Tests.Ceremony;

/// <summary>
/// The ceremonies end to end on the real binary, each installation a real SoftHSM token and
/// SQLite file made by custody-admin init: generate → pieces in files → restore on a fresh
/// installation gives the same fingerprint and addresses; bad share sets are refused with
/// one clear line and leave no wallet behind.
/// </summary>
public class CeremonyCommandTests
{
    [Fact]
    public void Slip39_2_of_3_restores_on_a_fresh_installation_to_the_same_wallet()
    {
        using var temp = new TempDirectory();
        var original = TestInstallation.Init(temp, "original");
        var shares = Path.Combine(temp.Path, "shares");
        var generated = TestInstallation.Admin("ceremony", "generate", "--data-dir", original, "--name", "treasury",
            "--slip39", "2-of-3", "--non-interactive", "--out-dir", shares);
        var record = TestInstallation.Record(generated);
        Assert.Contains("backup: SLIP-39 2-of-3, 256-bit", generated.Lines);

        var files = Enumerable.Range(1, 3).Select(i => Path.Combine(shares, $"share-{i:D2}.txt")).ToArray();
        Assert.Equal(files, Directory.GetFiles(shares).Order());
        foreach (var file in files)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            var words = File.ReadAllText(file).TrimEnd('\n').Split(' ');
            Assert.Equal(33, words.Length); // 256-bit secret: 7 metadata words + 26
            Assert.DoesNotContain(string.Join(' ', words), generated.Stdout + generated.Stderr, StringComparison.Ordinal);
        }

        // Any two of the three, on installations that never saw the seed.
        foreach (var (a, b) in new[] { (0, 2), (2, 1) })
        {
            var fresh = TestInstallation.Init(temp, $"fresh-{a}{b}");
            var restored = TestInstallation.Admin("ceremony", "restore", "--data-dir", fresh, "--name", "treasury",
                "--share-file", files[a], "--share-file", files[b]);
            Assert.Equal(record, TestInstallation.Record(restored));
        }

        // All three together agree as well.
        var all = TestInstallation.Init(temp, "all");
        Assert.Equal(record, TestInstallation.Record(TestInstallation.Admin("ceremony", "restore", "--data-dir", all, "--name", "t",
            "--share-file", files[0], "--share-file", files[1], "--share-file", files[2])));

        // The stored seed gives the same record again (it unseals, derives and signs).
        Assert.Equal(record, TestInstallation.Record(TestInstallation.Admin("ceremony", "record", "--data-dir", original, "--name", "treasury")));

        // Every step is in the audit log, which verifies under the HSM audit key and holds no word of any share.
        var (actions, export) = TestInstallation.Audit(original);
        Assert.Equal(["installation.init", "token.create", "ceremony.generate.start", "ceremony.seed.generated", "ceremony.piece.written", "ceremony.piece.written",
            "ceremony.piece.written", "wallet.created", "ceremony.generate.complete"], actions);
        foreach (var file in files)
        {
            var words = File.ReadAllText(file).Trim().Split(' ');
            Assert.DoesNotContain(string.Join(' ', words[4..8]), export, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Bip39_restores_on_a_fresh_installation_to_the_same_wallet()
    {
        using var temp = new TempDirectory();
        var original = TestInstallation.Init(temp, "original");
        var output = Path.Combine(temp.Path, "backup");
        var generated = TestInstallation.Admin("ceremony", "generate", "--data-dir", original, "--name", "hot",
            "--bip39", "--words", "12", "--non-interactive", "--out-dir", output);
        Assert.Contains("backup: BIP39 12 words", generated.Lines);
        var mnemonic = Path.Combine(output, "mnemonic.txt");
        Assert.Equal([mnemonic], Directory.GetFiles(output));
        Assert.Equal(12, File.ReadAllText(mnemonic).Trim().Split(' ').Length);

        var fresh = TestInstallation.Init(temp, "fresh");
        var restored = TestInstallation.Admin("ceremony", "restore", "--data-dir", fresh, "--name", "hot", "--mnemonic-file", mnemonic);
        Assert.Equal(TestInstallation.Record(generated), TestInstallation.Record(restored));

        // custody-admin derive (the offline tool) agrees with the record's Bitcoin address.
        var btc = TestInstallation.Record(generated).Single(l => l.StartsWith("address btc ", StringComparison.Ordinal)).Split(' ');
        var derived = ChildProcess.Admin("derive", "--mnemonic-file", mnemonic, "--chain", "btc", "--path", btc[2]);
        Assert.Contains($"address     {btc[3]}", derived.Lines);

        // A passphrase makes it another wallet.
        var passphrase = Path.Combine(temp.Path, "passphrase.txt");
        File.WriteAllText(passphrase, "correct horse\n");
        var other = TestInstallation.Init(temp, "other");
        var withPassphrase = TestInstallation.Admin("ceremony", "restore", "--data-dir", other, "--name", "hot",
            "--mnemonic-file", mnemonic, "--passphrase-file", passphrase);
        Assert.NotEqual(TestInstallation.Record(generated)[0], TestInstallation.Record(withPassphrase)[0]);
    }

    [Fact]
    public void Wrong_duplicated_insufficient_and_foreign_share_sets_are_refused_with_one_line()
    {
        using var temp = new TempDirectory();
        var first = TestInstallation.Init(temp, "first");
        var a = Path.Combine(temp.Path, "a");
        var b = Path.Combine(temp.Path, "b");
        TestInstallation.Admin("ceremony", "generate", "--data-dir", first, "--name", "a", "--slip39", "2-of-3", "--bits", "128", "--non-interactive", "--out-dir", a);
        TestInstallation.Admin("ceremony", "generate", "--data-dir", first, "--name", "b", "--slip39", "2-of-3", "--bits", "128", "--non-interactive", "--out-dir", b);
        string A(int i) => Path.Combine(a, $"share-{i:D2}.txt");
        string B(int i) => Path.Combine(b, $"share-{i:D2}.txt");

        // One word of share 2 replaced by another word of the list.
        var words = File.ReadAllText(A(2)).Trim().Split(' ');
        words[10] = words[10] == "academic" ? "acid" : "academic";
        var altered = Path.Combine(temp.Path, "altered.txt");
        File.WriteAllText(altered, string.Join(' ', words) + "\n");

        var fresh = TestInstallation.Init(temp, "fresh");
        var cases = new (string[] Files, string Message)[]
        {
            ([A(1), altered], $"error: share file {altered} (share 2): the checksum does not match: a word is wrong, missing or out of order"),
            ([A(1), A(1)], $"error: share file {A(1)} (share 2): this share was already given as share 1"),
            ([A(3)], "error: not enough shares: 1 more share needed (1 of 2 given)"),
            ([A(1), B(2)], $"error: share file {B(2)} (share 2): this share belongs to a different backup than share 1 (the identifiers differ)"),
        };
        foreach (var (files, message) in cases)
        {
            var run = ChildProcess.Admin(["ceremony", "restore", "--data-dir", fresh, "--name", "x", .. files.SelectMany(f => new[] { "--share-file", f })]);
            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Equal([message], run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("", run.Stdout);
        }

        // Each refusal was audited as a failed restore.
        Assert.Equal(4, TestInstallation.Audit(fresh).Actions.Count(a => a == "ceremony.restore.failed"));

        // Nothing was stored by the refusals: the name is still free, and the right set works.
        TestInstallation.Admin("ceremony", "restore", "--data-dir", fresh, "--name", "x", "--share-file", A(3), "--share-file", A(1));
        // The same seed twice in one installation is refused.
        var again = ChildProcess.Admin("ceremony", "restore", "--data-dir", fresh, "--name", "y", "--share-file", A(2), "--share-file", A(1));
        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("error: this seed is already stored as wallet 'x' (", again.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--name", "n", "--slip39", "2-of-3", "--bip39", "--non-interactive", "--out-dir", "OUT" }, "error: choose the backup: --slip39 M-of-N or --bip39")]
    [InlineData(new[] { "--name", "n", "--slip39", "1-of-3", "--non-interactive", "--out-dir", "OUT" }, "error: slip39: 1-of-N would hand out N copies of the same share; use 1-of-1 for a single member")]
    [InlineData(new[] { "--name", "n", "--slip39", "4-of-3", "--non-interactive", "--out-dir", "OUT" }, "error: slip39: the member threshold must be between 1 and the member count (3), not 4")]
    [InlineData(new[] { "--name", "n", "--bip39", "--words", "13", "--non-interactive", "--out-dir", "OUT" }, "error: words: a BIP39 mnemonic has 12, 15, 18, 21 or 24 words, not 13")]
    [InlineData(new[] { "--name", "n", "--slip39", "2-of-3", "--non-interactive" }, "error: --non-interactive needs --out-dir DIR for the piece files")]
    [InlineData(new[] { "--name", "n", "--slip39", "2-of-3" }, "error: no terminal for an interactive ceremony: run with --non-interactive --out-dir DIR to write the pieces to files")]
    public void Bad_generate_requests_are_refused_before_any_secret_exists(string[] args, string message)
    {
        using var temp = new TempDirectory();
        var data = TestInstallation.Init(temp, "data");
        var outDir = Path.Combine(temp.Path, "out");
        var run = ChildProcess.Admin(["ceremony", "generate", "--data-dir", data, .. args.Select(a => a == "OUT" ? outDir : a)]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal([message], run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());
    }

    [Fact]
    public void Generate_refuses_a_non_empty_out_dir_a_taken_name_and_a_missing_installation()
    {
        using var temp = new TempDirectory();
        var data = TestInstallation.Init(temp, "data");
        var outDir = Path.Combine(temp.Path, "out");
        TestInstallation.Admin("ceremony", "generate", "--data-dir", data, "--name", "n", "--bip39", "--non-interactive", "--out-dir", outDir);

        var reused = ChildProcess.Admin("ceremony", "generate", "--data-dir", data, "--name", "m", "--bip39", "--non-interactive", "--out-dir", outDir);
        Assert.Equal($"error: --out-dir {outDir} is not empty; pieces of different ceremonies must not share a directory", reused.Stderr.Trim());

        var taken = ChildProcess.Admin("ceremony", "generate", "--data-dir", data, "--name", "n", "--bip39", "--non-interactive", "--out-dir", Path.Combine(temp.Path, "o2"));
        Assert.StartsWith("error: a wallet named 'n' exists already (w_", taken.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "o2")) && Directory.EnumerateFileSystemEntries(Path.Combine(temp.Path, "o2")).Any());

        var nowhere = Path.Combine(temp.Path, "nowhere");
        var missing = ChildProcess.Admin("ceremony", "generate", "--data-dir", nowhere, "--name", "n", "--bip39", "--non-interactive", "--out-dir", Path.Combine(temp.Path, "o3"));
        Assert.Equal($"error: {nowhere} holds no installation (hsm/softhsm2.conf, the ledger and the audit key id): run custody-admin init --data-dir {nowhere} first", missing.Stderr.Trim());
        Assert.False(Directory.Exists(nowhere));
    }
}
