using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlOps.Agent.Options;
using MlOps.Agent.Serving;
using MlOps.Discovery;

namespace MlOps.Agent.Discovery;

/// <summary>Composition of the agent's Consul registration; nothing is added unless <c>Agent:Consul:Address</c> is set.</summary>
internal static class DiscoveryHostExtensions
{
    /// <summary>
    /// With <c>Agent:Consul:Address</c> set: the Consul client bound from <c>Agent:Consul</c> (validated at start) and
    /// the <see cref="ConsulRegistrar"/>. Call it after the other hosted services: hosted services stop in reverse
    /// order, so the agent leaves Consul before it stops serving.
    /// </summary>
    public static HostApplicationBuilder AddAgentDiscovery(this HostApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{AgentConsulOptions.SectionName}:{nameof(AgentConsulOptions.Address)}"]))
        {
            return builder;
        }

        builder.Services.AddConsulClient(AgentConsulOptions.SectionName);
        // The reconciler is handed over, not registered again as IServingView: the container would dispose it twice.
        builder.Services.AddHostedService(sp =>
            ActivatorUtilities.CreateInstance<ConsulRegistrar>(sp, (IServingView)sp.GetRequiredService<ServingReconciler>()));
        return builder;
    }
}
