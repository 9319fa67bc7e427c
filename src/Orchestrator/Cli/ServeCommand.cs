using System.CommandLine;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Api;
using Orchestrator.Configuration;

namespace Orchestrator.Cli;

/// <summary><c>orchestrator serve</c>: the HTTP API and the syslog listeners, in front of the durable store.</summary>
public static partial class ServeCommand
{
    public static Command Create()
    {
        var http = new Option<string?>("--http") { Description = "HTTP API endpoint ADDR:PORT (default 127.0.0.1:8080)" };
        var udp = new Option<string?>("--syslog-udp") { Description = "Syslog UDP endpoint ADDR:PORT, or off (default 127.0.0.1:5514)" };
        var tcp = new Option<string?>("--syslog-tcp") { Description = "Syslog TCP endpoint ADDR:PORT, or off (default 127.0.0.1:5514)" };
        var tls = new Option<string?>("--syslog-tls") { Description = "Syslog TLS endpoint ADDR:PORT (needs syslog.tls in the config)" };
        var playbooks = new Option<string?>("--playbooks") { Description = "The playbook folder (default: response.playbooks, ./playbooks)" };
        var command = new Command("serve", "Run the service: ingest over HTTP and syslog, store durably, run the playbooks, serve the API.") { http, udp, tcp, tls, playbooks };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = CliApp.LoadSettings(parseResult, parseResult.GetValue(http), parseResult.GetValue(udp), parseResult.GetValue(tcp), parseResult.GetValue(tls));
            if (settings is null)
            {
                return 2;
            }

            if (parseResult.GetValue(playbooks) is { } playbookFolder)
            {
                settings.Config.Response.Playbooks = playbookFolder;
            }

            Directory.CreateDirectory(settings.DataDirectory);
            var initialKeys = ApiKeyRing.BootstrapIfEmpty(settings.Config, settings.DataDirectory);
            WebApplication app;
            try
            {
                app = BuildApp(settings);
            }
            catch (ConfigException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return 2;
            }

            if (initialKeys is not null)
            {
                LogInitialKeys(app.Logger, initialKeys);
            }

            await app.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    public static WebApplication BuildApp(AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The scheduler's start-up and recovery chatter; what our own jobs do is logged by them.
        builder.Logging.AddFilter("Quartz", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(settings.HttpEndpoint);
            kestrel.Limits.MaxRequestBodySize = settings.MaxBodyBytes;
            kestrel.AddServerHeader = false;
        });
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddOrchestratorServer(settings);
        var app = builder.Build();
        app.MapOrchestratorApi(settings);
        app.MapRunEndpoints();
        app.MapContainmentEndpoints();
        app.MapDetectionEndpoints();
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API key was configured: created an ingest and an admin key, readable by this user only, in {KeyFile}")]
    private static partial void LogInitialKeys(ILogger logger, string keyFile);
}
