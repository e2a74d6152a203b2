using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Models;

namespace MlOps.Serving.Hosting;

/// <summary>Composition of the model host: the repository as <see cref="IModelRepository"/>, its options bound and validated at start.</summary>
public static class ModelHostExtensions
{
    /// <summary>Configuration section of <see cref="OnnxModelVersionOptions"/> (e.g. <c>Serving:Host:Batching:MaxQueueDelay</c>).</summary>
    public const string SectionName = "Serving:Host";

    /// <summary>
    /// Registers <see cref="ModelRepository"/> (also as <see cref="IModelRepository"/>) with options bound from
    /// <see cref="SectionName"/> and validated at start, every error listed at once. The agent registers its
    /// <see cref="ModelLoader"/> with <see cref="ModelRepository.UseLoader"/>. The options are immutable records
    /// (init-only), which the configuration binder fills; there is no <c>Action</c> overload for that reason.
    /// </summary>
    public static IServiceCollection AddModelHost(this IServiceCollection services)
    {
        services.AddOptions<OnnxModelVersionOptions>().BindConfiguration(SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OnnxModelVersionOptions>, OnnxModelVersionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ModelRepository(
            sp.GetRequiredService<IOptions<OnnxModelVersionOptions>>().Value,
            loader: null,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IModelRepository>(sp => sp.GetRequiredService<ModelRepository>());
        return services;
    }
}

internal sealed class OnnxModelVersionOptionsValidator : IValidateOptions<OnnxModelVersionOptions>
{
    public ValidateOptionsResult Validate(string? name, OnnxModelVersionOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"{ModelHostExtensions.SectionName}:{e}"));
    }
}
