using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Configuration;
using Orchestrator.Core.Configuration;

namespace Orchestrator.Listeners;

/// <summary>Builds the syslog listeners' options from the settings and adds the listeners they enable.</summary>
public static class ListenerRegistration
{
    /// <summary>The options of every enabled listener; throws <see cref="ConfigException"/> naming the key when one is invalid.</summary>
    public static IReadOnlyList<SyslogListenerOptions> CreateOptions(AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var syslog = settings.Config.Syslog;
        var maxMessage = (int)Math.Min(int.MaxValue, ByteSizes.Parse(syslog.MaxMessage));
        var idle = Durations.Parse(syslog.IdleTimeout);
        var options = new List<SyslogListenerOptions>();
        if (settings.SyslogUdp is { } udp)
        {
            options.Add(new SyslogUdpOptions { Endpoint = udp, Format = syslog.Format, MaxMessageBytes = maxMessage });
        }

        if (settings.SyslogTcp is { } tcp)
        {
            options.Add(new SyslogTcpOptions { Endpoint = tcp, Format = syslog.Format, MaxMessageBytes = maxMessage, MaxConnections = syslog.MaxConnections, IdleTimeout = idle });
        }

        if (settings.SyslogTls is { } tlsEndpoint && syslog.Tls is { } tls)
        {
            options.Add(new SyslogTlsOptions
            {
                Endpoint = tlsEndpoint,
                Format = syslog.Format,
                MaxMessageBytes = maxMessage,
                MaxConnections = syslog.MaxConnections,
                IdleTimeout = idle,
                Tls = new TlsOptions
                {
                    CertificatePath = tls.Certificate,
                    KeyPath = tls.Key,
                    PfxPath = tls.Pfx,
                    PfxPassword = tls.PfxPassword is null ? null : ConfigLoader.ResolveSecret("syslog.tls.pfx_password", tls.PfxPassword),
                    RequireClientCertificate = tls.RequireClientCertificate,
                },
            });
        }

        try
        {
            foreach (var option in options)
            {
                option.Validate();
            }
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigException(ex.Message, ex);
        }

        return options;
    }

    public static IServiceCollection AddListeners(this IServiceCollection services, AppSettings settings)
    {
        foreach (var options in CreateOptions(settings))
        {
            switch (options)
            {
                case SyslogUdpOptions udp:
                    services.AddSingleton(udp).AddSingleton<SyslogUdpListener>().AddHostedService(sp => sp.GetRequiredService<SyslogUdpListener>());
                    break;
                case SyslogTlsOptions tls:
                    services.AddSingleton(tls).AddSingleton<SyslogTlsListener>().AddHostedService(sp => sp.GetRequiredService<SyslogTlsListener>());
                    break;
                case SyslogTcpOptions tcp:
                    services.AddSingleton(tcp).AddSingleton<SyslogTcpListener>().AddHostedService(sp => sp.GetRequiredService<SyslogTcpListener>());
                    break;
                default:
                    throw new InvalidOperationException($"no listener for {options.GetType().Name}");
            }
        }

        return services;
    }
}
