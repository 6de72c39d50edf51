using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GeoDns.Tests.Health;

/// <summary>A logger that keeps the lines a test reads: <paramref name="line"/> turns each entry into one, or null to skip it.</summary>
internal sealed class ListLogger<T>(Func<LogLevel, string, string?> line) : ILogger<T>
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (line(logLevel, formatter(state, exception)) is { } kept)
        {
            _lines.Enqueue(kept);
        }
    }
}
