using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Orchestrator.Cli;

/// <summary>
/// Sends a change (approve, deny, cancel, resolve) to the running service's API: a live run is
/// changed by the process that runs it, never behind its back in the database. The key comes from
/// <c>--key-file</c> or <c>ORCHESTRATOR_API_KEY</c>, never from an argument that <c>ps</c> would show.
/// </summary>
public static class ServiceClient
{
    public const string KeyEnvironmentVariable = "ORCHESTRATOR_API_KEY";

    /// <summary>A verb <paramref name="name"/> ID that POSTs to <paramref name="pathFormat"/> (with <c>{0}</c> for the id) and prints the outcome.</summary>
    public static Command ChangeCommand(string name, string description, string what, string pathFormat, Func<JsonElement, string> describe)
    {
        var id = new Argument<string>("ID") { Description = $"The {what}'s id" };
        var comment = new Option<string?>("--comment") { Description = "Why, recorded in the audit trail" };
        var command = new Command(name, description) { id, comment };
        var connection = AddConnectionOptions(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, pathFormat, Uri.EscapeDataString(parseResult.GetValue(id)!));
            var body = parseResult.GetValue(comment) is { } text ? JsonSerializer.Serialize(new Dictionary<string, string> { ["comment"] = text }) : "";
            return PostAsync(parseResult, connection, path, body, describe, cancellationToken);
        });
        return command;
    }

    /// <summary>Adds <c>--url</c> and <c>--key-file</c> to a command that talks to the service.</summary>
    public static (Option<string?> Url, Option<string?> KeyFile) AddConnectionOptions(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var url = new Option<string?>("--url") { Description = "The service's base URL. Default: http:// + http.listen of the config" };
        var keyFile = new Option<string?>("--key-file") { Description = $"A file holding an admin API key. Default: the environment variable {KeyEnvironmentVariable}" };
        command.Options.Add(url);
        command.Options.Add(keyFile);
        return (url, keyFile);
    }

    /// <summary>POSTs <paramref name="body"/> (JSON, or empty) to <paramref name="path"/> of the service and prints what <paramref name="describe"/> makes of a success; 0, 1 (refused), 2 (usage) or 3 (not reachable).</summary>
    public static async Task<int> PostAsync(ParseResult parseResult, (Option<string?> Url, Option<string?> KeyFile) connection, string path, string body, Func<JsonElement, string> describe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(describe);
        var settings = CliApp.LoadSettings(parseResult);
        if (settings is null)
        {
            return 2;
        }

        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        var baseUrl = parseResult.GetValue(connection.Url) ?? DefaultUrl(settings.HttpEndpoint);
        var key = ReadKey(parseResult.GetValue(connection.KeyFile), out var keyError);
        if (key is null)
        {
            await error.WriteLineAsync(keyError).ConfigureAwait(false);
            return 2;
        }

        // A base with a path (behind a proxy) keeps it only when it ends in a slash.
        if (!baseUrl.EndsWith('/'))
        {
            baseUrl += "/";
        }

        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"--url: '{baseUrl}' is not an http:// or https:// URL").ConfigureAwait(false);
            return 2;
        }

        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/'))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            await error.WriteLineAsync($"{baseUri}: the service is not running or not reachable ({ex.Message}); start it with 'orchestrator serve', or pass --url").ConfigureAwait(false);
            return 3;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"{baseUri}: no answer within {http.Timeout.TotalSeconds:0} s; the change may still take effect: check with 'orchestrator runs show'").ConfigureAwait(false);
            return 3;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                using var document = JsonDocument.Parse(text);
                await output.WriteLineAsync(describe(document.RootElement)).ConfigureAwait(false);
                return 0;
            }

            var message = ErrorText(text);
            await error.WriteLineAsync(response.StatusCode switch
            {
                HttpStatusCode.UnprocessableEntity => $"failed: {message}",
                HttpStatusCode.Unauthorized => $"refused (401): {message}; pass an admin key with --key-file FILE or {KeyEnvironmentVariable}",
                HttpStatusCode.Forbidden => $"not allowed (403): {message}",
                HttpStatusCode.NotFound => $"not found (404): {message}",
                HttpStatusCode.Conflict => $"not possible now (409): {message}",
                _ => $"{(int)response.StatusCode} {response.ReasonPhrase}: {message}",
            }).ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The key from <paramref name="keyFile"/>, else from the environment; null with the reason when there is none.</summary>
    internal static string? ReadKey(string? keyFile, out string error)
    {
        error = "";
        if (keyFile is not null)
        {
            try
            {
                var fromFile = File.ReadAllText(keyFile).Trim();
                if (fromFile.Length > 0)
                {
                    return fromFile;
                }

                error = $"--key-file {keyFile}: the file is empty; it must hold one API key";
                return null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error = $"--key-file {keyFile}: {ex.Message}";
                return null;
            }
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(KeyEnvironmentVariable)?.Trim();
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        error = $"no API key: pass --key-file FILE (a file holding an admin key) or set {KeyEnvironmentVariable}; create a key with 'orchestrator key new --name NAME --role admin'";
        return null;
    }

    /// <summary>The URL of <c>http.listen</c>; a wildcard address is reached on loopback.</summary>
    internal static string DefaultUrl(IPEndPoint listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var address = listen.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : listen.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : listen.Address;
        return $"http://{new IPEndPoint(address, listen.Port)}/";
    }

    private static string ErrorText(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var message))
            {
                return message.GetString() ?? body;
            }
        }
        catch (JsonException)
        {
        }

        return body.Length == 0 ? "(no details)" : body;
    }
}
