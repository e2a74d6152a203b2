using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Pipelines.Caching;
using MlOps.Pipelines.Running;

namespace MlOps.Coordinator.Pipelines;

/// <summary>Registers pipeline runs: options, the executor, resolver and cache over the coordinator's state, and the run host.</summary>
public static class PipelineServiceExtensions
{
    /// <summary>Binds <see cref="PipelineOptions"/> from <c>Pipelines</c>, validated at start.</summary>
    public static IServiceCollection AddPipelineOptions(this IServiceCollection services)
    {
        services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PipelineOptions>, PipelineOptionsValidator>());
        return services;
    }

    /// <summary>The services; the run host is also a hosted service (register it after start-up recovery).</summary>
    public static IServiceCollection AddPipelines(this IServiceCollection services)
    {
        services.TryAddSingleton<ActivePipelineRuns>();
        services.TryAddSingleton<IStepExecutor, CoordinatorStepExecutor>();
        services.TryAddSingleton<IStepCache, StoreStepCache>();
        services.TryAddSingleton<IArtifactResolver, CoordinatorArtifactResolver>();
        services.TryAddSingleton<PipelineRunHost>();
        services.AddHostedService(sp => sp.GetRequiredService<PipelineRunHost>());
        return services;
    }
}
