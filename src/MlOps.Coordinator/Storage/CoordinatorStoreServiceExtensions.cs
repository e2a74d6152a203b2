using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Storage.Postgres;

namespace MlOps.Coordinator.Storage;

/// <summary>Registers the state store that <see cref="CoordinatorOptions.Store"/> names, under all three store interfaces.</summary>
public static class CoordinatorStoreServiceExtensions
{
    /// <summary>
    /// One store instance serves <see cref="ICoordinatorStore"/>, <see cref="IRegistryStore"/> and
    /// <see cref="IDeploymentStore"/>, so a job's completion and the model version it registers share a transaction.
    /// </summary>
    public static IServiceCollection AddCoordinatorStore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(CreateStore);
        services.TryAddSingleton(sp => (IRegistryStore)sp.GetRequiredService<ICoordinatorStore>());
        services.TryAddSingleton(sp => (IDeploymentStore)sp.GetRequiredService<ICoordinatorStore>());
        services.TryAddSingleton(sp => (IRetrainingStore)sp.GetRequiredService<ICoordinatorStore>());
        services.TryAddSingleton(sp => (IPipelineStore)sp.GetRequiredService<ICoordinatorStore>());
        services.TryAddSingleton(sp => (IAccessStore)sp.GetRequiredService<ICoordinatorStore>());
        return services;
    }

    /// <summary>Reading the options validates them, so a bad configuration stops the host here with every error listed;
    /// both stores defer their path or connection string to first use all the same.</summary>
    private static ICoordinatorStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<CoordinatorOptions>>();
        var time = services.GetRequiredService<TimeProvider>();
        return options.Value.Store == CoordinatorOptions.PostgresStore
            ? new PostgresCoordinatorStore(
                () => options.Value.PostgresConnectionString!, time, services.GetRequiredService<ILogger<PostgresCoordinatorStore>>())
            : new SqliteCoordinatorStore(
                () => options.Value.DatabasePath, time, services.GetRequiredService<ILogger<SqliteCoordinatorStore>>());
    }
}
