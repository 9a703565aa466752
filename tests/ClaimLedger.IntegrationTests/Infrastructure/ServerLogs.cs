using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClaimLedger.IntegrationTests.Infrastructure;

public sealed record LogEntry(LogLevel Level, string Category, string Message, Exception? Exception);

/// <summary>Every entry the server logs from the moment it is attached (the host's own filters still apply).</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue(new LogEntry(logLevel, category, formatter(state, exception), exception));
    }
}

public static class ServerLogs
{
    /// <summary>Starts capturing what <paramref name="server"/> logs (starting it if it has not started).</summary>
    public static LogCapture CaptureLogs(this ClaimLedgerServer server)
    {
        var capture = new LogCapture();
        server.Services.GetRequiredService<ILoggerFactory>().AddProvider(capture);
        return capture;
    }
}
