// Email load generator: sends through SmtpEmailSender / EmailStep to an SMTP server already
// running at HOST:PORT (bench/run-email.sh starts aiosmtpd with a discarding handler).
//   count N        N emails back to back over one reused connection: emails/s
//   paced R S      R alerts/s for S seconds through the email step: event -> DATA accepted, p50/p90/p99
//   burst N LIMIT  N alerts to one recipient with a rate limit of LIMIT: sent, held and digests
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Connectors.Email;
using Orchestrator.Core.Events;
using Orchestrator.Core.Runs;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: EmailLoad HOST PORT count N | paced RATE SECONDS | burst N LIMIT");
    return 2;
}

var options = new SmtpOptions
{
    Host = args[0],
    Port = int.Parse(args[1], CultureInfo.InvariantCulture),
    Security = SmtpSecurity.None,
    From = "orchestrator@example.org",
};
var first = int.Parse(args[3], CultureInfo.InvariantCulture);
var second = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0;
var evt = new SecurityEvent
{
    Id = 1,
    Kind = EventKinds.InfectionDetected,
    Timestamp = DateTimeOffset.UtcNow,
    SourceIp = IPAddress.Parse("10.0.0.7"),
    HostName = "pc-7",
};
var parameters = new Dictionary<string, object?>
{
    ["to"] = "soc@example.org",
    ["subject"] = "pc-7 (10.0.0.7) infected",
    ["body"] = "Host pc-7 at 10.0.0.7 scanned 40 hosts in 10 s.",
};

switch (args[2])
{
    case "count":
    {
        await using var sender = new CountingSender(new SmtpEmailSender(options, NullLogger<SmtpEmailSender>.Instance, TimeProvider.System));
        var step = new EmailStep(sender);
        await RunStep(step, 0).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        for (var i = 1; i <= first; i++)
        {
            await RunStep(step, i).ConfigureAwait(false);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"count: {first} emails in {elapsed.TotalSeconds:0.00} s over one connection = {first / elapsed.TotalSeconds:0} emails/s (accepted {sender.Accepted - 1})"));
        break;
    }

    case "paced":
    {
        await using var sender = new CountingSender(new SmtpEmailSender(options, NullLogger<SmtpEmailSender>.Instance, TimeProvider.System));
        var step = new EmailStep(sender);
        await RunStep(step, 0).ConfigureAwait(false);
        var total = first * second;
        var latencies = new double[total];
        var running = new List<Task>(total);
        var interval = TimeSpan.FromSeconds(1.0 / first);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            // Latency counts from when the event was due, so a send stuck behind another is not hidden.
            var due = start + (long)(i * interval.TotalSeconds * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }

            var index = i;
            running.Add(Task.Run(async () =>
            {
                await RunStep(step, index + 1).ConfigureAwait(false);
                latencies[index] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            }));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        Array.Sort(latencies);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"paced: {total} alerts at {first}/s, event -> DATA accepted: p50 {Percentile(latencies, 0.50):0.00} ms, p90 {Percentile(latencies, 0.90):0.00} ms, p99 {Percentile(latencies, 0.99):0.00} ms, max {latencies[^1]:0.00} ms (accepted {sender.Accepted - 1})"));
        break;
    }

    case "burst":
    {
        options.MaxPerRecipient = second;
        options.Per = TimeSpan.FromSeconds(2);
        await using var sender = new CountingSender(new SmtpEmailSender(options, NullLogger<SmtpEmailSender>.Instance, TimeProvider.System));
        var limiter = new EmailRateLimiter(options, sender, TimeProvider.System, NullLogger<EmailRateLimiter>.Instance);
        var step = new EmailStep(sender, limiter);
        var held = 0;
        var started = Stopwatch.GetTimestamp();
        for (var i = 1; i <= first; i++)
        {
            var result = await RunStep(step, i).ConfigureAwait(false);
            held += result.Outputs["held"] is true ? 1 : 0;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        await Task.Delay(options.Per + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        await limiter.DisposeAsync().ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"burst: {first} alerts in {elapsed.TotalMilliseconds:0} ms, limit {second}: accepted by the server {sender.Accepted} = {sender.Accepted - sender.Digests} alerts + {sender.Digests} digest; held {held}; digest counts {string.Join(",", sender.DigestCounts)}"));
        break;
    }

    default:
        Console.Error.WriteLine($"unknown mode '{args[2]}'");
        return 2;
}

return 0;

async Task<StepResult> RunStep(EmailStep step, int i)
{
    var result = await step.ExecuteAsync(new StepContext("run-" + i, "bench", "mail", EmailStep.Name, parameters, "run-" + i + "/mail", 1, false, evt), CancellationToken.None).ConfigureAwait(false);
    return result.Succeeded ? result : throw new InvalidOperationException(result.Error);
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

/// <summary>Counts what the server accepted, and which of it were digests.</summary>
internal sealed class CountingSender(SmtpEmailSender inner) : IEmailSender, IAsyncDisposable
{
    private int _accepted;

    public int Accepted => _accepted;

    public int Digests => DigestCounts.Count;

    public List<string> DigestCounts { get; } = [];

    public async ValueTask<string> SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var reply = await inner.SendAsync(message, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _accepted);
        if (message.Subject.StartsWith("Digest: ", StringComparison.Ordinal))
        {
            lock (DigestCounts)
            {
                DigestCounts.Add(message.Subject.Split(' ')[1]);
            }
        }

        return reply;
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
