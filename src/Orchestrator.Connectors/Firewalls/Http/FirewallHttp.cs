using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Connectors.Paging;
using Orchestrator.Connectors.Tls;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Firewalls.Http;

/// <summary>
/// What the HTTP firewall drivers share: per device, one HttpClient whose certificate check is the device's
/// <c>options.ca_file</c> or <c>options.pinned_sha256</c> (<see cref="ServerCertificateTrust"/>), and the one
/// <see cref="PagerHttpSender"/> behaviour for every request (per-attempt timeout, 429 and 5xx retried, other 4xx
/// not, secrets cut from messages). Retrying a change is safe here because every driver call is idempotent.
/// </summary>
public sealed class FirewallHttp : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<(HttpClient Client, PagerHttpSender Sender)>> _channels = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly PagerRetryOptions? _retry;
    private readonly Func<double>? _jitter;

    /// <param name="time">Clock for the waits between attempts and for the remaining time of blocks.</param>
    /// <param name="retry">Retry limits; the sender's defaults when null.</param>
    /// <param name="jitter">A number in [0, 1) per wait; random when null.</param>
    public FirewallHttp(TimeProvider time, PagerRetryOptions? retry = null, Func<double>? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _retry = retry;
        _jitter = jitter;
    }

    public TimeProvider Time => _time;

    public void Dispose()
    {
        foreach (var channel in _channels.Values.Where(c => c.IsValueCreated))
        {
            channel.Value.Client.Dispose();
        }

        _channels.Clear();
    }

    /// <summary>The device as a driver reaches it; throws <see cref="FirewallException"/> when its options cannot be used.</summary>
    internal FirewallEndpoint Endpoint(DeviceDefinition device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var scheme = device.Options.GetValueOrDefault("scheme", Uri.UriSchemeHttps);
        if (scheme != Uri.UriSchemeHttps && scheme != Uri.UriSchemeHttp)
        {
            throw new FirewallException($"{device.Location}: firewall '{device.Name}': options.scheme '{scheme}' must be https (the default) or http (a lab only: credentials travel in clear)");
        }

        var timeout = TimeSpan.FromSeconds(30);
        if (device.Options.TryGetValue("timeout", out var timeoutText) && (!Durations.TryParse(timeoutText, out timeout) || timeout <= TimeSpan.Zero))
        {
            throw new FirewallException($"{device.Location}: firewall '{device.Name}': options.timeout '{timeoutText}' is not a positive duration (e.g. 30s)");
        }

        var host = device.Address.Ip?.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{device.Address.Host}]" : device.Address.Host;
        var port = device.Address.Port ?? (scheme == Uri.UriSchemeHttps ? 443 : 80);
        var baseUrl = new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}:{port}/"));
        var caFile = device.Options.GetValueOrDefault("ca_file");
        var pin = device.Options.GetValueOrDefault("pinned_sha256");
        var key = string.Join('\n', device.Name, baseUrl.AbsoluteUri, caFile, pin);
        var channel = _channels.GetOrAdd(key, _ => new Lazy<(HttpClient, PagerHttpSender)>(() => Open(device, scheme, caFile, pin)));
        try
        {
            return new FirewallEndpoint(device, baseUrl, channel.Value.Sender, timeout);
        }
        catch (FirewallException)
        {
            // A bad ca_file or pin is not cached: the next call, after the inventory is fixed, tries again.
            _channels.TryRemove(key, out _);
            throw;
        }
    }

    private (HttpClient, PagerHttpSender) Open(DeviceDefinition device, string scheme, string? caFile, string? pin)
    {
        HttpClient client;
        if (scheme == Uri.UriSchemeHttps)
        {
            ServerCertificateTrust trust;
            try
            {
                trust = ServerCertificateTrust.Create(caFile, pin);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or System.Security.Cryptography.CryptographicException)
            {
                throw new FirewallException($"{device.Location}: firewall '{device.Name}': options.{ex.Message}", ex);
            }

            client = PagerHttpSender.CreateHttpClient((_, certificate, chain, errors) =>
                trust.Check(certificate, chain, errors, device.Address.Host, "options.") is { } problem
                    ? throw new CertificateRejectedException(problem)
                    : true);
        }
        else
        {
            client = PagerHttpSender.CreateHttpClient();
        }

        return (client, new PagerHttpSender(client, _time, _retry, _jitter));
    }
}

/// <summary>
/// One firewall as a driver call reaches it: its URL, its credentials (resolved from their references and kept out
/// of every message), its options checked, and a send that throws <see cref="FirewallException"/> naming it.
/// </summary>
internal sealed class FirewallEndpoint(DeviceDefinition device, Uri baseUrl, PagerHttpSender sender, TimeSpan timeout)
{
    private readonly List<string> _secrets = [];

    public DeviceDefinition Device => device;

    /// <summary>How errors name the device: <c>firewall 'core-fw' (paloalto at https://10.0.0.1:443/)</c>.</summary>
    public string Described { get; } = $"firewall '{device.Name}' ({device.Driver} at {baseUrl})";

    public Uri Url(string pathAndQuery) => new(baseUrl, pathAndQuery);

    /// <summary>The secret behind <c>credentials.{name}</c>; throws saying what to write when it is missing or cannot be read.</summary>
    public string Credential(string name, string example)
    {
        if (!device.Credentials.TryGetValue(name, out var reference))
        {
            throw new FirewallException($"{device.Location}: {Described}: credentials.{name} is required (e.g. {name}: {example})");
        }

        string secret;
        try
        {
            secret = SecretReference.Resolve(reference);
        }
        catch (InvalidOperationException ex)
        {
            throw new FirewallException($"{device.Location}: {Described}: credentials.{name}: {ex.Message}", ex);
        }

        Keep(secret);
        return secret;
    }

    /// <summary>A Basic authorization header for <paramref name="user"/> and <paramref name="password"/>, the encoded pair kept out of messages too.</summary>
    public AuthenticationHeaderValue Basic(string user, string password)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        Keep(encoded);
        return new AuthenticationHeaderValue("Basic", encoded);
    }

    private void Keep(string secret)
    {
        if (!_secrets.Contains(secret))
        {
            _secrets.Add(secret);
        }
    }

    /// <summary><c>options.{name}</c>, or <paramref name="fallback"/> when absent; throws quoting <paramref name="rule"/> when <paramref name="valid"/> refuses it.</summary>
    public string Option(string name, string fallback, Func<string, bool> valid, string rule)
    {
        var value = device.Options.GetValueOrDefault(name, fallback);
        return valid(value)
            ? value
            : throw new FirewallException($"{device.Location}: {Described}: options.{name} '{value}' is not usable: {rule}");
    }

    /// <summary>Sends through the shared sender and returns the body of the 2xx answer.</summary>
    /// <param name="createRequest">Makes the request for one attempt.</param>
    /// <param name="cancellationToken">Bounds the whole send, retries included.</param>
    /// <param name="describe">The vendor's words from an error body; the sender's JSON reader when null.</param>
    public async Task<string> SendAsync(Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken, Func<string, string>? describe = null)
    {
        var response = await sender.SendAsync(
            Described,
            createRequest,
            timeout,
            _secrets,
            cancellationToken,
            describe,
            (message, cause) => cause is null ? new FirewallException(message) : new FirewallException(message, cause)).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>The error for a 2xx answer that still says no, with the vendor's words and no secret.</summary>
    public FirewallException Refused(string answer) => new(PagerHttpSender.Redact($"{Described}: refused: {answer}", _secrets));
}
