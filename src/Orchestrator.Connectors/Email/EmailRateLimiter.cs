using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Connectors.Email;

/// <summary>
/// Caps the emails one recipient gets: at most <see cref="SmtpOptions.MaxPerRecipient"/> within
/// <see cref="SmtpOptions.Per"/>, counted from the first email of a window. What is held back is
/// recorded, and when the window ends the recipient gets one digest of it (when
/// <see cref="SmtpOptions.Digest"/> is on); the digest's count is exact.
/// </summary>
public sealed partial class EmailRateLimiter : IAsyncDisposable
{
    /// <summary>How many held emails a digest lists one by one; the rest are counted.</summary>
    public const int DigestListLimit = 50;

    private readonly int _max;
    private readonly TimeSpan _per;
    private readonly bool _digest;
    private readonly IEmailSender _sender;
    private readonly TimeProvider _time;
    private readonly ILogger<EmailRateLimiter> _logger;
    private readonly Dictionary<string, Window> _windows = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<Window> _digestsDue = [];
    private readonly HashSet<Task> _digestsInFlight = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    public EmailRateLimiter(SmtpOptions options, IEmailSender sender, TimeProvider timeProvider, ILogger<EmailRateLimiter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _max = options.MaxPerRecipient;
        _per = options.Per;
        _digest = options.Digest;
        _sender = sender;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>False when no limit is configured: every email is admitted.</summary>
    public bool Enabled => _max > 0;

    /// <summary>
    /// Counts the message against each of its recipients (to and cc) and returns those it must not
    /// go to now, as written in the message; they are recorded for their digest.
    /// </summary>
    public IReadOnlyList<string> HoldBack(EmailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Enabled)
        {
            return [];
        }

        var held = new List<string>();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var recipient in message.To.Concat(message.Cc))
            {
                var key = EmailAddresses.TryParse(recipient, out var mailbox) ? mailbox.Address : recipient;
                if (!_windows.TryGetValue(key, out var window) || now >= window.Ends)
                {
                    // An ended window whose digest is still due keeps its own timer; this starts the next one.
                    window = new Window(key, recipient, now + _per);
                    _windows[key] = window;
                }

                if (window.Sent < _max)
                {
                    window.Sent++;
                    continue;
                }

                if (window.Held.Count == 0)
                {
                    LogLimitReached(_logger, key, _max, window.Ends);
                }

                window.Held.Add(now, message.Subject, message.RunId);
                held.Add(recipient);
                if (_digest)
                {
                    ScheduleDigest(window, now);
                }
            }
        }

        return held;
    }

    /// <summary>Sends every pending digest now (at shutdown, so nothing held is lost) and waits for them.</summary>
    public async Task FlushAsync()
    {
        List<Window> pending;
        lock (_lock)
        {
            pending = [.. _digestsDue];
        }

        foreach (var window in pending)
        {
            OnWindowEnd(window);
        }

        Task[] inFlight;
        lock (_lock)
        {
            inFlight = [.. _digestsInFlight];
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_digest)
        {
            await FlushAsync().ConfigureAwait(false);
        }

        lock (_lock)
        {
            _disposed = true;
            foreach (var window in _digestsDue)
            {
                window.Timer?.Dispose();
            }

            _digestsDue.Clear();
            _windows.Clear();
        }
    }

    private void ScheduleDigest(Window window, DateTimeOffset now)
    {
        if (window.Timer is null)
        {
            window.Timer = _time.CreateTimer(OnWindowEnd, window, window.Ends - now, Timeout.InfiniteTimeSpan);
            _digestsDue.Add(window);
        }
    }

    private void OnWindowEnd(object? state)
    {
        var window = (Window)state!;
        HeldEmails held;
        lock (_lock)
        {
            if (window.Timer is null)
            {
                return;
            }

            window.Timer.Dispose();
            window.Timer = null;
            _digestsDue.Remove(window);
            if (_windows.TryGetValue(window.Key, out var current) && current == window)
            {
                _windows.Remove(window.Key);
            }

            held = window.Held;
            window.Held = new HeldEmails();
        }

        var sending = SendDigestAsync(window, held);
        if (sending.IsCompleted)
        {
            return;
        }

        lock (_lock)
        {
            _digestsInFlight.Add(sending);
        }

        _ = sending.ContinueWith(Forget, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static void Forget(Task task, object? state)
    {
        var limiter = (EmailRateLimiter)state!;
        lock (limiter._lock)
        {
            limiter._digestsInFlight.Remove(task);
        }
    }

    private async Task SendDigestAsync(Window window, HeldEmails held)
    {
        try
        {
            await _sender.SendAsync(Digest(window.Recipient, window.Key, held), CancellationToken.None).ConfigureAwait(false);
            LogDigestSent(_logger, window.Key, held.Count);
        }
        catch (EmailException ex)
        {
            // Keep what was held: it goes out with the recipient's next digest.
            LogDigestFailed(_logger, window.Key, held.Count, ex.Message);
            var now = _time.GetUtcNow();
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                if (!_windows.TryGetValue(window.Key, out var next) || now >= next.Ends)
                {
                    next = new Window(window.Key, window.Recipient, now + _per);
                    _windows[window.Key] = next;
                }

                next.Held.AddAll(held);
                ScheduleDigest(next, now);
            }
        }
    }

    internal EmailMessage Digest(string recipient, string address, HeldEmails held)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"The rate limit ({_max} per {Describe(_per)}) held back {held.Count} email(s) to {address} ");
        text.Append(CultureInfo.InvariantCulture, $"between {Time(held.First)} and {Time(held.Last)}.\n\n");
        foreach (var entry in held.Listed)
        {
            text.Append(CultureInfo.InvariantCulture, $"- {Time(entry.At)}  {entry.Subject}");
            text.Append(entry.RunId is null ? "\n" : $"  (run {entry.RunId})\n");
        }

        if (held.Count > held.Listed.Count)
        {
            text.Append(CultureInfo.InvariantCulture, $"- and {held.Count - held.Listed.Count} more\n");
        }

        return new EmailMessage([recipient], [], $"Digest: {held.Count} email(s) held back by the rate limit", text.ToString());
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Describe(TimeSpan span) => span switch
    {
        { TotalHours: >= 1 } when span.Ticks % TimeSpan.TicksPerHour == 0 => $"{span.TotalHours:0}h",
        { TotalMinutes: >= 1 } when span.Ticks % TimeSpan.TicksPerMinute == 0 => $"{span.TotalMinutes:0}m",
        _ => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###}s"),
    };

    private sealed class Window(string key, string recipient, DateTimeOffset ends)
    {
        public string Key { get; } = key;

        public string Recipient { get; } = recipient;

        public DateTimeOffset Ends { get; } = ends;

        public int Sent { get; set; }

        public HeldEmails Held { get; set; } = new();

        public ITimer? Timer { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email rate limit of {Max} reached for {Recipient}: further emails are held back until {Ends}")]
    private static partial void LogLimitReached(ILogger logger, string recipient, int max, DateTimeOffset ends);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent {Recipient} a digest of {Count} held-back email(s)")]
    private static partial void LogDigestSent(ILogger logger, string recipient, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Digest of {Count} held-back email(s) to {Recipient} failed (kept for the next digest unless shutting down): {Reason}")]
    private static partial void LogDigestFailed(ILogger logger, string recipient, int count, string reason);
}

/// <summary>The emails held back for one recipient: an exact count, their time span, and the first ones listed.</summary>
internal sealed class HeldEmails
{
    private readonly List<HeldEmail> _listed = [];

    public int Count { get; private set; }

    public DateTimeOffset First { get; private set; }

    public DateTimeOffset Last { get; private set; }

    public IReadOnlyList<HeldEmail> Listed => _listed;

    public void Add(DateTimeOffset at, string subject, string? runId)
    {
        First = Count == 0 || at < First ? at : First;
        Last = Count == 0 || at > Last ? at : Last;
        Count++;
        if (_listed.Count < EmailRateLimiter.DigestListLimit)
        {
            _listed.Add(new HeldEmail(at, subject, runId));
        }
    }

    public void AddAll(HeldEmails other)
    {
        if (other.Count == 0)
        {
            return;
        }

        foreach (var entry in other._listed)
        {
            Add(entry.At, entry.Subject, entry.RunId);
        }

        // The unlisted ones count too; their times lie within the other's span.
        var unlisted = other.Count - other._listed.Count;
        Count += unlisted;
        First = other.First < First ? other.First : First;
        Last = other.Last > Last ? other.Last : Last;
    }
}

/// <summary>One held-back email as a digest lists it.</summary>
internal sealed record HeldEmail(DateTimeOffset At, string Subject, string? RunId);
