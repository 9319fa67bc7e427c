using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Text.Json;
using Orchestrator.Connectors.Tls;
using Orchestrator.Core.Runs;

namespace Orchestrator.Connectors.Paging;

/// <summary>How the pager targets retry: attempts in all, the backoff between them, and the longest Retry-After honoured.</summary>
public sealed record PagerRetryOptions
{
    /// <summary>Tries in all, the first included.</summary>
    public int MaxAttempts { get; init; } = 4;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A longer Retry-After is cut to this; the caller's cancellation still bounds the whole send.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>What a service answered to a request it accepted.</summary>
internal sealed record PagerHttpResponse(int Status, string Body, int Attempts);

/// <summary>
/// The one place connectors send HTTP (the pager targets, the firewall API drivers): a per-attempt timeout,
/// retries on 429 (after its Retry-After, capped), on 5xx and on network errors and timeouts (exponential
/// backoff with jitter), no retry on any other 4xx nor on a refused server certificate. Errors name the target
/// and carry the service's own message, with every secret the target gives (keys, webhook URLs) cut out.
/// </summary>
public sealed class PagerHttpSender
{
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly PagerRetryOptions _retry;
    private readonly RetryPolicy _backoff;
    private readonly Func<double> _jitter;

    /// <param name="http">Shared by all targets; its own Timeout should be infinite (each request has its own).</param>
    /// <param name="time">Clock for Retry-After dates and the waits between attempts.</param>
    /// <param name="retry">Retry limits; the defaults when null.</param>
    /// <param name="jitter">A number in [0, 1) per wait; <see cref="Random.Shared"/> when null.</param>
    public PagerHttpSender(HttpClient http, TimeProvider time, PagerRetryOptions? retry = null, Func<double>? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        _http = http;
        _time = time;
        _retry = retry ?? new PagerRetryOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_retry.MaxAttempts, 1, nameof(retry));
        _backoff = new RetryPolicy(_retry.MaxAttempts, _retry.InitialBackoff, _retry.MaxBackoff);
        _jitter = jitter ?? Random.Shared.NextDouble;
    }

    /// <summary>An HttpClient for <see cref="SendAsync"/>: pooled connections, no client-wide timeout (each request has its own).</summary>
    /// <param name="validateCertificate">
    /// Replaces the system's certificate check (a pinned certificate, a private CA); it may throw
    /// <see cref="CertificateRejectedException"/> to say why it refuses. Null: the system's check.
    /// </param>
    public static HttpClient CreateHttpClient(RemoteCertificateValidationCallback? validateCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            // A redirected POST becomes a GET; a webhook that redirects is misconfigured, and the 3xx says so.
            AllowAutoRedirect = false,
        };
        if (validateCertificate is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = validateCertificate;
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Sends a request made afresh for each attempt by <paramref name="createRequest"/> until the
    /// service accepts it (2xx); throws <see cref="PagingException"/> (or what <paramref name="error"/>
    /// makes) when it refuses or stays unreachable.
    /// </summary>
    /// <param name="target">Names the target in errors, e.g. <c>pager target 'soc' (Slack)</c>.</param>
    /// <param name="createRequest">Makes the request for one attempt (a request cannot be sent twice).</param>
    /// <param name="timeout">How long one attempt may take.</param>
    /// <param name="secrets">Values never to show in an error message.</param>
    /// <param name="cancellationToken">Bounds the whole send, waits included.</param>
    /// <param name="describe">The service's own words from an error body; <see cref="ServiceMessage"/> when null.</param>
    /// <param name="error">Makes the exception from a message and its cause; a <see cref="PagingException"/> when null.</param>
    internal async Task<PagerHttpResponse> SendAsync(
        string target,
        Func<HttpRequestMessage> createRequest,
        TimeSpan timeout,
        IReadOnlyList<string> secrets,
        CancellationToken cancellationToken,
        Func<string, string>? describe = null,
        Func<string, Exception?, Exception>? error = null)
    {
        describe ??= ServiceMessage;
        error ??= (message, cause) => cause is null ? new PagingException(message) : new PagingException(message, cause);
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            string failure;
            Exception? cause = null;
            using (var request = createRequest())
            using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                // The timeout bounds real I/O, so it runs on the real clock; only waits between attempts use _time.
                attemptTimeout.CancelAfter(timeout);
                try
                {
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attemptTimeout.Token).ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    var body = await response.Content.ReadAsStringAsync(attemptTimeout.Token).ConfigureAwait(false);
                    if (status is >= 200 and < 300)
                    {
                        return new PagerHttpResponse(status, body, attempt);
                    }

                    failure = $"HTTP {status} {response.ReasonPhrase}: {describe(body)}".TrimEnd(' ', ':');
                    if (status == (int)HttpStatusCode.TooManyRequests)
                    {
                        retryAfter = RetryAfter(response);
                    }
                    else if (status < 500 && status != (int)HttpStatusCode.RequestTimeout)
                    {
                        throw error(Redact($"{target}: refused: {failure}", secrets), null);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = $"no answer within {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
                }
                catch (HttpRequestException e) when (Rejection(e) is { } rejected)
                {
                    throw error(Redact($"{target}: TLS: {rejected.Message}", secrets), e);
                }
                catch (HttpRequestException e)
                {
                    failure = e.HttpRequestError == HttpRequestError.Unknown ? "request failed" : $"request failed ({e.HttpRequestError})";
                    cause = e;
                }
            }

            if (attempt >= _retry.MaxAttempts)
            {
                var message = Redact($"{target}: gave up after {attempt} attempt(s): {failure}", secrets);
                throw error(message, cause);
            }

            var wait = retryAfter ?? _backoff.BackoffBefore(attempt + 1, _jitter());
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static CertificateRejectedException? Rejection(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is CertificateRejectedException rejected)
            {
                return rejected;
            }
        }

        return null;
    }

    /// <summary>Retry-After as seconds or an HTTP date, capped; null when absent so the backoff applies.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? wait = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        if (wait is null)
        {
            return null;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > _retry.MaxRetryAfter ? _retry.MaxRetryAfter : wait;
    }

    /// <summary>
    /// The service's own words from an error body: PagerDuty's <c>message</c> and <c>errors</c>,
    /// Opsgenie's <c>message</c>, Slack's <c>error</c> or plain text (<c>invalid_payload</c>), Teams' text,
    /// RouterOS's <c>message</c> and <c>detail</c>.
    /// </summary>
    internal static string ServiceMessage(string body)
    {
        const int MaxLength = 500;
        var text = body.Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(text);
                var parts = new List<string>();
                foreach (var name in (string[])["message", "error", "detail"])
                {
                    if (json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        parts.Add(value.GetString()!);
                    }
                }

                if (json.RootElement.TryGetProperty("errors", out var errors))
                {
                    parts.Add(errors.ValueKind == JsonValueKind.Array
                        ? string.Join("; ", errors.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText()))
                        : errors.GetRawText());
                }

                if (parts.Count > 0)
                {
                    text = string.Join(": ", parts);
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: the text itself is the message.
            }
        }

        return text.Length > MaxLength ? text[..MaxLength] + "…" : text;
    }

    /// <summary>
    /// The parts of a webhook URL that are its credential, to keep out of messages: the whole URL, its
    /// path and query, each query value (Teams Workflows' <c>sig</c>) and the last path segment (Slack's token).
    /// </summary>
    internal static string[] UrlSecrets(Uri url)
    {
        var secrets = new List<string> { url.AbsoluteUri, url.PathAndQuery, url.Segments[^1].Trim('/') };
        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var value = pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..];
            secrets.Add(value);
            secrets.Add(Uri.UnescapeDataString(value));
        }

        return [.. secrets];
    }

    internal static string Redact(string message, IReadOnlyList<string> secrets)
    {
        // Longest first, so a URL goes whole before its parts.
        foreach (var secret in secrets.OrderByDescending(s => s.Length))
        {
            if (secret.Length >= 4)
            {
                message = message.Replace(secret, "[redacted]", StringComparison.Ordinal);
            }
        }

        return message;
    }
}
