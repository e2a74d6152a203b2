using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlOps.ServiceDefaults.Metrics;

/// <summary>Registration of the <c>/metrics</c> listener shared by the coordinator and the agent.</summary>
public static class MetricsServiceExtensions
{
    /// <summary>
    /// Adds a <see cref="MetricsListener"/> (also as a hosted service) on the end point <paramref name="endPoint"/>
    /// picks from the built services, serving every registered <see cref="IMetricsSource"/>; null leaves it off.
    /// </summary>
    public static IServiceCollection AddMetricsListener(this IServiceCollection services, Func<IServiceProvider, IPEndPoint?> endPoint)
    {
        services.AddSingleton(sp => new MetricsListener(
            endPoint(sp), sp.GetServices<IMetricsSource>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<MetricsListener>());
        return services;
    }
}
