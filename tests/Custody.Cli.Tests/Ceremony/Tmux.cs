using System.Diagnostics;

namespace Custody.Cli.Tests.Ceremony;

/// <summary>A terminal for interactive tests: a detached tmux session driven with send-keys and read with capture-pane.</summary>
internal sealed class Tmux : IDisposable
{
    private readonly string _session = "custody-test-" + Guid.NewGuid().ToString("N")[..12];

    public Tmux(string workingDirectory)
    {
        Run("new-session", "-d", "-s", _session, "-x", "160", "-y", "60", "-c", workingDirectory, "bash --noprofile --norc");
        Run("set-option", "-t", _session, "history-limit", "5000");
    }

    public static bool Available =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "tmux")));

    /// <summary>Types <paramref name="text"/> literally, then Enter unless told otherwise.</summary>
    public void Type(string text, bool enter = true)
    {
        if (text.Length > 0) Run("send-keys", "-t", _session, "-l", text);
        if (enter) Run("send-keys", "-t", _session, "Enter");
    }

    /// <summary>The visible screen, or with <paramref name="history"/> everything the pane still keeps.</summary>
    public string Screen(bool history = false) =>
        history ? Run("capture-pane", "-p", "-t", _session, "-S", "-") : Run("capture-pane", "-p", "-t", _session);

    /// <summary>Waits until the screen shows <paramref name="text"/>; returns the screen.</summary>
    public string WaitFor(string text, int seconds = 60)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var screen = Screen();
            if (screen.Contains(text, StringComparison.Ordinal)) return screen;
            if (deadline.Elapsed > TimeSpan.FromSeconds(seconds))
                throw new TimeoutException($"the terminal did not show '{text}' within {seconds} s; it shows:\n{screen}");
            Thread.Sleep(100);
        }
    }

    public void Dispose() => Run("kill-session", "-t", _session);

    private static string Run(params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}

/// <summary>A test that needs a terminal: skipped, saying why, where tmux is not installed.</summary>
public sealed class TmuxFactAttribute : FactAttribute
{
    public TmuxFactAttribute()
    {
        if (!Tmux.Available) Skip = "tmux is not installed (apt-get install tmux): the interactive ceremony is not exercised";
    }
}
