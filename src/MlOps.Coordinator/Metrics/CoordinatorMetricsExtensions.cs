using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Coordinator.Configuration;
using MlOps.ServiceDefaults.Metrics;

namespace MlOps.Coordinator.Metrics;

/// <summary>Registration of the coordinator's metrics.</summary>
internal static class CoordinatorMetricsExtensions
{
    /// <summary>The instruments the scheduler and job updater feed, and the page source (also used by tests).</summary>
    public static IServiceCollection AddCoordinatorMetrics(this IServiceCollection services)
    {
        services.TryAddSingleton<CoordinatorMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricsSource, CoordinatorMetricsSource>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricsSource, MlOps.Coordinator.Monitoring.MonitoringMetricsSource>());
        return services;
    }

    /// <summary>The HTTP/1.1 <c>/metrics</c> listener at <see cref="CoordinatorOptions.MetricsListen"/>; off when empty.</summary>
    public static IServiceCollection AddCoordinatorMetricsListener(this IServiceCollection services) =>
        services.AddMetricsListener(sp => EndPoint(sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value.MetricsListen));

    /// <summary>The end point to bind, or null for none (options validation has rejected a bad value already).</summary>
    internal static IPEndPoint? EndPoint(string? metricsListen)
    {
        if (string.IsNullOrWhiteSpace(metricsListen) || !ListenAddress.TryParse(metricsListen, out var address, out _))
        {
            return null;
        }

        return new IPEndPoint(address.Address ?? (address.IsAnyAddress ? IPAddress.Any : IPAddress.Loopback), address.Port);
    }
}
