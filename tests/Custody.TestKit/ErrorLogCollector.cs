using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Custody.TestKit;

/// <summary>
/// Keeps every log entry the daemon writes at Error or above, and all messages, so that each test
/// fails on an error it did not expect (<see cref="LoggedTest"/>) and a test can check that no
/// secret ever reached a log.
/// </summary>
public sealed class ErrorLogCollector : ILoggerProvider
{
    private readonly List<string> _errors = [];

    /// <summary>Every Error (or worse) entry so far, in order.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors) return [.. _errors];
        }
    }

    /// <summary>How many errors were logged so far: a mark to read <see cref="ErrorsSince"/> from.</summary>
    public int ErrorCount
    {
        get
        {
            lock (_errors) return _errors.Count;
        }
    }

    public IReadOnlyList<string> ErrorsSince(int mark)
    {
        lock (_errors) return _errors.Skip(mark).ToArray();
    }

    public ConcurrentQueue<string> All { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void Dispose() { }

    private sealed class Collector(ErrorLogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}";
            owner.All.Enqueue(line);
            if (logLevel < LogLevel.Error) return;
            lock (owner._errors) owner._errors.Add(line);
        }
    }
}
