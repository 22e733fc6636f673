using System.Text.RegularExpressions;

namespace Custody.Cli.Tests.Ceremony;

/// <summary>
/// The interactive ceremonies as custodians live them, in a real terminal (tmux): one share
/// per screen, words re-entered at random positions (a wrong word shows the share again),
/// nothing of a share left on the screen or in the scroll-back, and a restore typed in by
/// hand that gives the same wallet.
/// </summary>
public partial class InteractiveCeremonyTests
{
    [TmuxFact]
    public void Generate_and_restore_through_a_terminal()
    {
        using var temp = new TempDirectory();
        var original = TestInstallation.Init(temp, "original");
        var admin = $"dotnet {ChildProcess.AdminDll}";

        using var terminal = new Tmux(temp.Path);
        terminal.Type($"{admin} ceremony generate --data-dir {original} --name vault --slip39 2-of-3 --bits 128; echo EXIT=$?");
        var shares = new List<string>();
        for (var custodian = 1; custodian <= 3; custodian++)
        {
            terminal.WaitFor($"Custodian {custodian} of 3");
            terminal.Type("");
            var words = ReadWords(terminal.WaitFor("Write every word down"));
            Assert.Equal(20, words.Length);
            shares.Add(string.Join(' ', words));
            terminal.Type("");

            if (custodian == 1)
            {
                // A wrong word: refused, and the share is shown again.
                terminal.WaitFor("re-enter 2 words");
                AnswerPrompts(terminal, words, wrong: true);
                terminal.WaitFor("That is not what the share says.");
                terminal.Type("");
                Assert.Equal(words, ReadWords(terminal.WaitFor("Write every word down")));
                terminal.Type("");
            }
            terminal.WaitFor("re-enter 2 words");
            AnswerPrompts(terminal, words, wrong: false);
            terminal.WaitFor($"Custodian {custodian} confirmed their piece.");
            // Nothing of this share stays on the screen or in the scroll-back. (tmux drops a cleared screen by itself;
            // the ESC[3J the ceremony also writes is for terminals that would keep it in their scroll-back.)
            Assert.DoesNotContain(string.Join(' ', words[4..7]), string.Join(' ', ReadWordsAnywhere(terminal.Screen(history: true))), StringComparison.Ordinal);
            terminal.Type("");
        }
        var done = terminal.WaitFor("EXIT=");
        Assert.Contains("EXIT=0", done, StringComparison.Ordinal);
        var fingerprint = FingerprintLine().Match(done).Value;
        Assert.NotEmpty(fingerprint);
        var btc = BtcLine().Match(done).Value;
        Assert.NotEmpty(btc);
        Assert.Equal(["installation.init", "token.create", "ceremony.generate.start", "ceremony.seed.generated", "ceremony.piece.shown", "ceremony.piece.shown", "ceremony.piece.confirmed",
            "ceremony.piece.shown", "ceremony.piece.confirmed", "ceremony.piece.shown", "ceremony.piece.confirmed", "wallet.created", "ceremony.generate.complete"],
            TestInstallation.Audit(original).Actions);

        // Restore by typing shares in: a duplicate is refused on the spot, then the second share completes the set.
        var fresh = TestInstallation.Init(temp, "fresh");
        terminal.Type("clear");
        terminal.Type($"{admin} ceremony restore --data-dir {fresh} --name vault; echo EXIT=$?");
        terminal.WaitFor("Enter a SLIP-39 share or the BIP39 mnemonic");
        terminal.Type(shares[2]);
        terminal.WaitFor("Still needed: 1 more share needed (1 of 2 given)");
        terminal.Type(shares[2]);
        terminal.WaitFor("this share was already given as share 1");
        terminal.Type(shares[0]);
        terminal.WaitFor("Passphrase (Enter for none):");
        terminal.Type("");
        var restored = terminal.WaitFor("EXIT=");
        Assert.Contains("EXIT=0", restored, StringComparison.Ordinal);
        Assert.Contains(fingerprint, restored, StringComparison.Ordinal);
        Assert.Contains(btc, restored, StringComparison.Ordinal);
        Assert.DoesNotContain(string.Join(' ', shares[0].Split(' ')[4..7]), terminal.Screen(history: true), StringComparison.Ordinal);
    }

    // Each prompt is read from what the terminal printed after the previous answer, never from the
    // screen, which may still show the prompts of an earlier attempt.
    private static void AnswerPrompts(Tmux terminal, string[] words, bool wrong)
    {
        for (var answered = 0; answered < 2; answered++)
        {
            var position = int.Parse(terminal.WaitFor(WordPrompt()).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            terminal.Type(wrong && answered == 0 ? (words[position - 1] == "academic" ? "acid" : "academic") : words[position - 1]);
        }
    }

    /// <summary>The words of the table on screen, in their numbered order.</summary>
    private static string[] ReadWords(string screen) =>
        [.. NumberedWord().Matches(screen).Select(m => (N: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), W: m.Groups[2].Value))
            .OrderBy(p => p.N).Select(p => p.W)];

    private static IEnumerable<string> ReadWordsAnywhere(string text) => ReadWords(text);

    [GeneratedRegex(@"(\d+)\. ([a-z]+)")]
    private static partial Regex NumberedWord();

    [GeneratedRegex(@"Word (\d+):")]
    private static partial Regex WordPrompt();

    [GeneratedRegex(@"fingerprint: [0-9a-f]{8}")]
    private static partial Regex FingerprintLine();

    [GeneratedRegex(@"address btc m/84'/0'/0'/0/0 bc1[a-z0-9]+")]
    private static partial Regex BtcLine();
}
