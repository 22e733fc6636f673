using Custody.Core;
using Custody.Core.Ceremony;
using Custody.Core.Hd.Slip39;
using Spectre.Console;

namespace Custody.Cli.Ceremony;

/// <summary>
/// The interactive hand-out and entry of pieces on the operator's terminal: one custodian
/// at a time, the screen (and its scroll-back) cleared before and after each piece, and a
/// confirmation in which the custodian re-enters words at random positions. Words are
/// typed without echo so they do not stay on the screen.
/// </summary>
internal sealed class CustodianScreen(IAnsiConsole console)
{
    private const int ConfirmationWords = 2;

    /// <summary>Refuses interactive mode when there is no terminal to talk to.</summary>
    public static void RequireTerminal(string alternative)
    {
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
            throw new CliException($"no terminal for an interactive ceremony: {alternative}");
    }

    /// <summary>Shows every piece to its custodian and returns once each one was confirmed.</summary>
    public void HandOut(IReadOnlyList<BackupPiece> pieces, Func<int, byte[]> random, Action<BackupPiece> shown, Action<BackupPiece> confirmed)
    {
        foreach (var piece in pieces)
        {
            Clear();
            console.Write(new Rule($"Custodian {piece.Number} of {pieces.Count}"));
            console.MarkupLine($"[bold]{Markup.Escape(piece.Label)}[/]");
            console.MarkupLine($"Only custodian {piece.Number} may look at the screen now.");
            WaitForEnter("Press Enter to show the words.");
            while (true)
            {
                ShowWords(piece);
                shown(piece);
                WaitForEnter("Write every word down, in order. Then press Enter: the words will disappear.");
                Clear();
                if (Confirm(piece, WordCheck.Random(piece, random, ConfirmationWords))) break;
                console.MarkupLine("[red]That is not what the share says.[/] The words will be shown again: check what you wrote.");
                WaitForEnter("Press Enter to see the words again.");
            }
            confirmed(piece);
            Clear();
            console.MarkupLine($"[green]Custodian {piece.Number} confirmed their piece.[/]");
            WaitForEnter(piece.Number < pieces.Count
                ? $"Hand over to custodian {piece.Number + 1}, then press Enter."
                : "Every piece was handed out and confirmed. Press Enter to seal and store the wallet.");
        }
        Clear();
    }

    /// <summary>
    /// Asks for a mnemonic, word count first so BIP39 and SLIP-39 are told apart, then each
    /// share until the set is complete; a refused share is explained and asked for again.
    /// Returns the words of a BIP39 mnemonic, or null after filling <paramref name="shares"/>.
    /// </summary>
    public string? EnterBackup(Slip39ShareSet shares)
    {
        Clear();
        console.Write(new Rule("Restore"));
        while (true)
        {
            var first = AskWords(shares.Count == 0 ? "Enter a SLIP-39 share or the BIP39 mnemonic (words are not shown):" : "Next share:");
            var wordCount = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            if (shares.Count == 0 && wordCount is 12 or 15 or 18 or 21 or 24) return first;
            try
            {
                var share = shares.Add(first);
                console.MarkupLine($"[green]Share accepted[/] (group {share.GroupIndex + 1}, member {share.MemberIndex + 1}).");
            }
            catch (InvalidInputException e)
            {
                console.MarkupLine($"[red]Refused:[/] {Markup.Escape(e.Reason)}");
            }
            if (shares.IsComplete)
            {
                Clear();
                return null;
            }
            if (shares.Count > 0) console.MarkupLine($"Still needed: {Markup.Escape(shares.Missing())}");
        }
    }

    public string AskPassphrase() =>
        console.Prompt(new TextPrompt<string>("Passphrase (Enter for none):").Secret().AllowEmpty());

    private string AskWords(string question) =>
        string.Join(' ', console.Prompt(new TextPrompt<string>(question).Secret())
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private void ShowWords(BackupPiece piece)
    {
        var words = piece.Words.Split(' ');
        const int columns = 4;
        var table = new Table().Border(TableBorder.Rounded);
        for (var c = 0; c < columns; c++) table.AddColumn(new TableColumn("").NoWrap());
        table.HideHeaders();
        var rows = (words.Length + columns - 1) / columns;
        for (var r = 0; r < rows; r++)
        {
            // Numbered down the columns, as people read a list of words.
            table.AddRow([.. Enumerable.Range(0, columns).Select(c =>
            {
                var i = c * rows + r;
                return i < words.Length ? $"{i + 1,2}. [bold]{words[i]}[/]" : "";
            })]);
        }
        console.Write(table);
    }

    private bool Confirm(BackupPiece piece, WordCheck check)
    {
        console.MarkupLine($"Custodian {piece.Number}: re-enter {check.Positions.Count} words of your piece from what you wrote down.");
        var ok = true;
        foreach (var position in check.Positions)
            ok &= check.Matches(position, console.Prompt(new TextPrompt<string>($"Word {position}:").Secret().AllowEmpty()));
        return ok;
    }

    private void WaitForEnter(string message)
    {
        console.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
        while (console.Input.ReadKey(intercept: true) is { Key: not ConsoleKey.Enter })
        {
        }
    }

    /// <summary>Clears the screen and the terminal's scroll-back (ESC[3J), so no piece can be scrolled back to.</summary>
    private void Clear()
    {
        console.Clear(home: true);
        console.Write(new ControlCode("\u001b[3J"));
    }
}
