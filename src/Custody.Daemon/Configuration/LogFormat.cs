using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Custody.Daemon.Configuration;

/// <summary>How log lines are written: for a person at a terminal, or one JSON object a line for a collector.</summary>
public enum LogFormat
{
    Text,
    Json,
}

public static class DaemonLogging
{
    private const string UtcMilliseconds = "yyyy-MM-ddTHH:mm:ss.fffZ";

    /// <summary>
    /// Every log line goes to stderr, so stdout stays free for what a command prints; the format
    /// is <paramref name="format"/>, or text when stderr is a terminal and JSON when it is not
    /// (a pipe, a file, the journal). Both carry UTC timestamps to the millisecond.
    /// </summary>
    public static void Configure(ILoggingBuilder logging, LogFormat? format)
    {
        ArgumentNullException.ThrowIfNull(logging);
        var chosen = format ?? (Console.IsErrorRedirected ? LogFormat.Json : LogFormat.Text);
        logging.Services.PostConfigure<ConsoleLoggerOptions>(console =>
        {
            console.LogToStandardErrorThreshold = LogLevel.Trace;
            console.FormatterName = chosen == LogFormat.Json ? ConsoleFormatterNames.Json : ConsoleFormatterNames.Simple;
        });
        logging.Services.PostConfigure<JsonConsoleFormatterOptions>(json =>
        {
            json.TimestampFormat = UtcMilliseconds;
            json.UseUtcTimestamp = true;
            json.IncludeScopes = false;
        });
        logging.Services.PostConfigure<SimpleConsoleFormatterOptions>(text =>
        {
            text.TimestampFormat = UtcMilliseconds + " ";
            text.UseUtcTimestamp = true;
            text.SingleLine = true;
        });
    }
}
