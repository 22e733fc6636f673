using System.Text;
using System.Text.RegularExpressions;

namespace Custody.Cli.Tests.Ceremony;

/// <summary>
/// A terminal for interactive tests: a detached tmux session driven with send-keys and read with
/// capture-pane. Everything the pane prints is also logged (pipe-pane), so that a wait can key on
/// output that is new since the last keystrokes: a screen still showing an earlier prompt must
/// never answer a wait for the next one.
/// </summary>
internal sealed partial class Tmux : IDisposable
{
    private readonly string _session = "custody-test-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _log;
    private long _mark;

    public Tmux(string workingDirectory)
    {
        _log = Path.Combine(workingDirectory, _session + ".log");
        File.WriteAllBytes(_log, []);
        Run("new-session", "-d", "-s", _session, "-x", "160", "-y", "60", "-c", workingDirectory, "bash --noprofile --norc");
        Run("set-option", "-t", _session, "history-limit", "5000");
        Run("pipe-pane", "-t", _session, "-o", $"cat >> '{_log}'");
    }

    public static bool Available =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "tmux")));

    /// <summary>
    /// Types <paramref name="text"/> literally, then Enter unless told otherwise. Waits after this
    /// see only what the terminal prints from now on.
    /// </summary>
    public void Type(string text, bool enter = true)
    {
        _mark = new FileInfo(_log).Length;
        if (text.Length > 0) Run("send-keys", "-t", _session, "-l", text);
        if (enter) Run("send-keys", "-t", _session, "Enter");
    }

    /// <summary>What the terminal printed since the last <see cref="Type"/>, without its escape sequences.</summary>
    public string Fresh()
    {
        using var stream = new FileStream(_log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Position = Math.Min(_mark, stream.Length);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return EscapeSequence().Replace(reader.ReadToEnd(), "");
    }

    /// <summary>The visible screen, or with <paramref name="history"/> everything the pane still keeps.</summary>
    public string Screen(bool history = false) =>
        history ? Run("capture-pane", "-p", "-t", _session, "-S", "-") : Run("capture-pane", "-p", "-t", _session);

    /// <summary>
    /// Waits until the terminal has printed <paramref name="text"/> since the last <see cref="Type"/>
    /// and the screen shows it; returns the screen.
    /// </summary>
    public string WaitFor(string text, int seconds = 60) =>
        Await($"'{text}'", seconds, fresh => fresh.Contains(text, StringComparison.Ordinal), screen => screen.Contains(text, StringComparison.Ordinal));

    /// <summary>The last match of <paramref name="pattern"/> in what the terminal printed since the last <see cref="Type"/>, once there is one.</summary>
    public Match WaitFor(Regex pattern, int seconds = 60)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Await(pattern.ToString(), seconds, fresh => pattern.IsMatch(fresh), _ => true);
        return pattern.Matches(Fresh())[^1];
    }

    private string Await(string what, int seconds, Func<string, bool> printed, Func<string, bool> shown) =>
        Eventually.Succeeds(() =>
        {
            var screen = Screen();
            return printed(Fresh()) && shown(screen)
                ? screen
                : throw new TimeoutException($"the terminal did not print {what} within {seconds} s after the last input; it shows:\n{screen}");
        }, TimeSpan.FromSeconds(seconds));

    // CSI (colours, cursor moves, erase), OSC (titles) and two-byte escapes.
    [GeneratedRegex(@"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")]
    private static partial Regex EscapeSequence();

    public void Dispose() => Run("kill-session", "-t", _session);

    private static string Run(params string[] args) => ChildProcess.Run(["tmux"], args).Stdout;
}

/// <summary>A test that needs a terminal: skipped, saying why, where tmux is not installed.</summary>
public sealed class TmuxFactAttribute : FactAttribute
{
    public TmuxFactAttribute()
    {
        if (!Tmux.Available) Skip = "tmux is not installed (apt-get install tmux): the interactive ceremony is not exercised";
    }
}
