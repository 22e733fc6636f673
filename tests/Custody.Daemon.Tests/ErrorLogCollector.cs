using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon.Tests;

/// <summary>
/// Keeps every log entry the daemon writes at Error or above, and all messages, so tests can
/// fail on an unexpected error and check that no secret ever reached a log.
/// </summary>
public sealed class ErrorLogCollector : ILoggerProvider
{
    public ConcurrentQueue<string> Errors { get; } = new();

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
            if (logLevel >= LogLevel.Error) owner.Errors.Enqueue(line);
        }
    }
}
