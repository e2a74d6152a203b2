using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Coordinator.Configuration;

namespace MlOps.Coordinator.HighAvailability;

/// <summary>Composition of leader election; nothing is added unless <c>Coordinator:HighAvailability:Enabled</c> is true.</summary>
public static class HighAvailabilityServiceExtensions
{
    public static IServiceCollection AddCoordinatorHighAvailability(this IServiceCollection services, IConfiguration configuration)
    {
        if (!configuration.GetValue<bool>($"{CoordinatorOptions.SectionName}:HighAvailability:Enabled"))
        {
            return services;
        }

        services.TryAddSingleton(sp => new LeaderLocator(
            sp.GetRequiredService<MlOps.Discovery.IConsulClient>(),
            sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value.HighAvailability,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<FollowerInterceptor>();
        services.TryAddSingleton<LeaderElection>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaderElection>());
        services.AddGrpc(o => o.Interceptors.Add<FollowerInterceptor>());
        return services;
    }
}
