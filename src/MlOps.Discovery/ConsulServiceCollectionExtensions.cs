using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MlOps.Discovery;

/// <summary>Composition of the Consul client for hosts.</summary>
public static class ConsulServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IConsulClient"/> as one singleton (one HttpClient for the process) with
    /// <see cref="ConsulOptions"/> bound from <paramref name="sectionName"/> and validated at start, so a bad
    /// Consul configuration stops the host at boot with every error listed.
    /// </summary>
    public static OptionsBuilder<ConsulOptions> AddConsulClient(this IServiceCollection services, string sectionName = ConsulOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ConsulOptions>().BindConfiguration(sectionName).ValidateOnStart();
        // An instance, so the errors name the section actually bound (Agent:Consul:Address, not Consul:Address).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsulOptions>>(new ConsulOptionsValidator(sectionName)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConsulClient>(sp => new ConsulClient(
            sp.GetRequiredService<IOptions<ConsulOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<ConsulClient>>()));
        return options;
    }
}
