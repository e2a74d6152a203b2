using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlOps.Agent.Options;
using MlOps.ServiceDefaults.Metrics;

namespace MlOps.Agent.Metrics;

/// <summary>Registration of the agent's metrics.</summary>
internal static class AgentMetricsExtensions
{
    /// <summary>The page source, GPU telemetry (over the agent's <see cref="Inventory.INvml"/>, registered with the host) and the HTTP/1.1 listener at <see cref="AgentOptions.MetricsListen"/> (off when empty).</summary>
    public static IServiceCollection AddAgentMetrics(this IServiceCollection services)
    {
        services.AddSingleton<IGpuTelemetry, NvmlGpuTelemetry>();
        services.AddSingleton<IMetricsSource, AgentMetricsSource>();
        services.AddMetricsListener(sp => EndPoint(sp.GetRequiredService<IOptions<AgentOptions>>().Value.MetricsListen));
        return services;
    }

    private static IPEndPoint? EndPoint(string? metricsListen) =>
        !string.IsNullOrWhiteSpace(metricsListen) && Serving.ListenAddress.TryParse(metricsListen, out var endPoint) ? endPoint : null;
}
