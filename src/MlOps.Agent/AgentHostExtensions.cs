using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MlOps.Agent.Discovery;
using MlOps.Agent.Jobs;
using MlOps.Agent.Metrics;
using MlOps.Agent.Options;
using MlOps.Agent.Session;
using MlOps.Artifacts;
using MlOps.Client.Artifacts;
using MlOps.Contracts;
using MlOps.ServiceDefaults;

namespace MlOps.Agent;

/// <summary>Composition of the agent host.</summary>
internal static class AgentHostExtensions
{
    public static HostApplicationBuilder AddAgent(this HostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AgentOptions>()
            .BindConfiguration(AgentOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<AgentOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<AgentOptions>>(sp => sp.GetRequiredService<AgentOptionsValidator>());
        builder.Services.AddSingleton<IPostConfigureOptions<AgentOptions>>(sp => sp.GetRequiredService<AgentOptionsValidator>());

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CoordinatorChannel>();
        builder.Services.AddSingleton<CoordinatorLease>();
        builder.Services.AddSingleton<IArtifactStore>(sp =>
        {
            var coordinator = sp.GetRequiredService<CoordinatorChannel>();
            return new CoordinatorArtifactStore(new ArtifactService.ArtifactServiceClient(coordinator.Channel), coordinator.Address);
        });
        builder.Services.AddSingleton<AgentOutbox>();
        builder.Services.AddSingleton<IAgentOutbox>(sp => sp.GetRequiredService<AgentOutbox>());
        builder.Services.AddSingleton(sp =>
            ActivatorUtilities.CreateInstance<AttemptLedger>(sp, sp.GetRequiredService<IOptions<AgentOptions>>().Value.DataDirectory));
        // The one NVML binding (inventory, GPU health, metrics); the container shuts it down once, when the agent stops.
        builder.Services.AddSingleton<MlOps.Agent.Inventory.INvml, MlOps.Agent.Inventory.NvmlDevices>();
        builder.Services.AddSingleton<MlOps.Agent.Inventory.GpuHealthMonitor>();
        builder.Services.AddSingleton<JobSupervisor>();
        builder.Services.AddSingleton<MlOps.Agent.Serving.ServingReconciler>();
        // The tokens the inference endpoints accept: the session fills it from the coordinator, the serving host reads it.
        builder.Services.AddSingleton<MlOps.Serving.Authentication.InferenceCredentialSet>();
        builder.Services.AddSingleton<MlOps.Agent.Serving.InferenceCredentialsReceiver>();
        builder.Services.AddAgentMetrics();
        // Hosted services start in order. What a killed agent left running is stopped before anything else starts,
        // and before the first hello, which claims only attempts started since.
        builder.Services.AddHostedService<TrainingEnvironment>();
        builder.Services.AddHostedService<LeftoverAttempts>();
        // The serving host before the session: the hello offers its bound endpoints.
        builder.Services.AddHostedService<MlOps.Agent.Serving.ServingHost>();
        builder.Services.AddHostedService<MlOps.Agent.Serving.ServingWindowReporter>();
        builder.Services.AddHostedService<CoordinatorSession>();
        builder.AddAgentDiscovery();

        var dataDirectory = builder.Configuration[$"{AgentOptions.SectionName}:{nameof(AgentOptions.DataDirectory)}"];
        var logDirectory = Path.Combine(string.IsNullOrWhiteSpace(dataDirectory) ? AgentOptions.DefaultDataDirectory() : dataDirectory, "logs");
        builder.AddMlOpsLogging("agent", logDirectory);
        builder.Services.AddSystemd();
        return builder;
    }
}
