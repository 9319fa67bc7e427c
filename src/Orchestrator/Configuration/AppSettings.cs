using System.Net;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Ingestion;

namespace Orchestrator.Configuration;

/// <summary>The validated, typed settings the service runs with: the config file plus command-line overrides.</summary>
public sealed class AppSettings
{
    public required OrchestratorConfig Config { get; init; }

    public required string DataDirectory { get; init; }

    public required IPEndPoint HttpEndpoint { get; init; }

    public required long MaxBodyBytes { get; init; }

    public IPEndPoint? SyslogUdp { get; init; }

    public IPEndPoint? SyslogTcp { get; init; }

    public IPEndPoint? SyslogTls { get; init; }

    public required RetentionPolicy Retention { get; init; }

    public required TimeSpan RetentionInterval { get; init; }

    /// <summary>Builds the settings; command-line values (null when not given) win over the file.</summary>
    public static AppSettings From(OrchestratorConfig config, string? dataOverride, string? httpOverride = null, string? udpOverride = null, string? tcpOverride = null, string? tlsOverride = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            var tls = config.Syslog.Tls is null && tlsOverride is null ? null
                : ConfigValidator.ParseEndpoint(tlsOverride ?? config.Syslog.Tls!.Listen);
            if (tls is not null && config.Syslog.Tls is null)
            {
                throw new ConfigException("--syslog-tls needs syslog.tls (certificate and key) in the configuration file");
            }

            return new AppSettings
            {
                Config = config,
                DataDirectory = Path.GetFullPath(dataOverride ?? config.Data ?? "./data"),
                HttpEndpoint = ConfigValidator.ParseEndpoint(httpOverride ?? config.Http.Listen)
                               ?? throw new ConfigException("http.listen cannot be off"),
                MaxBodyBytes = ByteSizes.Parse(config.Http.MaxBody),
                SyslogUdp = ConfigValidator.ParseEndpoint(udpOverride ?? config.Syslog.Udp),
                SyslogTcp = ConfigValidator.ParseEndpoint(tcpOverride ?? config.Syslog.Tcp),
                SyslogTls = tls,
                Retention = new RetentionPolicy(
                    config.Retention.MaxAge is null ? null : Durations.Parse(config.Retention.MaxAge),
                    config.Retention.MaxSize is null ? null : ByteSizes.Parse(config.Retention.MaxSize)),
                RetentionInterval = Durations.Parse(config.Retention.Interval),
            };
        }
        catch (FormatException ex)
        {
            throw new ConfigException($"command line: {ex.Message}", ex);
        }
    }
}
