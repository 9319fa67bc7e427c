using Microsoft.Extensions.Logging;
using Orchestrator.Connectors.Email;

namespace Orchestrator.Connectors.Tests.Email;

/// <summary>Keeps every log line, formatted, so tests can check what was (and was not) written.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    private readonly Lock _lock = new();
    private readonly List<(LogLevel Level, string Text)> _lines = [];

    public IReadOnlyList<(LogLevel Level, string Text)> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock)
        {
            _lines.Add((logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));
        }
    }
}

/// <summary>An email sender that records what it is given (for the rate limiter, whose subject is counting, not SMTP).</summary>
public sealed class RecordingSender : IEmailSender
{
    public List<EmailMessage> Sent { get; } = [];

    /// <summary>When set, the next sends throw this many times before succeeding.</summary>
    public int FailNext { get; set; }

    public ValueTask<string> SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        if (FailNext > 0)
        {
            FailNext--;
            throw new EmailException("SMTP server 127.0.0.1:25 answered 421 (temporary)");
        }

        Sent.Add(message);
        return ValueTask.FromResult("250 OK");
    }
}
