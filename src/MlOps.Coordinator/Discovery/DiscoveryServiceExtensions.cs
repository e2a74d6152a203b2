using Microsoft.Extensions.DependencyInjection.Extensions;
using MlOps.Coordinator.Configuration;
using MlOps.Discovery;

namespace MlOps.Coordinator.Discovery;

/// <summary>Composition of the Consul health watch; nothing is added unless <c>Coordinator:Consul:Address</c> is set.</summary>
public static class DiscoveryServiceExtensions
{
    /// <summary>
    /// With <c>Coordinator:Consul:Address</c> set: the Consul client bound from <c>Coordinator:Consul</c> (validated at
    /// start) and the <see cref="ConsulAgentWatcher"/>, started after the coordinator's own recovery.
    /// </summary>
    public static IServiceCollection AddCoordinatorDiscovery(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[$"{CoordinatorConsulOptions.SectionName}:{nameof(CoordinatorConsulOptions.Address)}"]))
        {
            return services;
        }

        services.AddConsulClient(CoordinatorConsulOptions.SectionName);
        services.TryAddSingleton<ConsulAgentHealth>();
        services.TryAddSingleton<ConsulAgentWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsulAgentWatcher>());
        return services;
    }
}
