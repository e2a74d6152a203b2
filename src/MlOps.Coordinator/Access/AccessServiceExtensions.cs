using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MlOps.Coordinator.Access;

public static class AccessServiceExtensions
{
    /// <summary>Binds and validates <see cref="AccessOptions"/> (section <c>Coordinator:Auth</c>) at start.</summary>
    public static IServiceCollection AddAccessOptions(this IServiceCollection services)
    {
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>(
            sp => new AccessOptionsValidator(sp.GetService<IConfiguration>())));
        return services;
    }

    /// <summary>Tokens, the audit log and the agents' inference credentials (options default unless
    /// <see cref="AddAccessOptions"/> bound them).</summary>
    public static IServiceCollection AddCoordinatorAccess(this IServiceCollection services)
    {
        services.AddOptions<AccessOptions>();
        services.TryAddSingleton<ApiTokens>();
        services.TryAddSingleton<AuditLog>();
        services.TryAddSingleton<InferenceCredentialsPublisher>();
        services.TryAddSingleton<AccessStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<AccessStartup>());
        return services;
    }

    /// <summary>Puts <see cref="AccessInterceptor"/> on every gRPC service (after the follower check, when there is one).</summary>
    public static IServiceCollection AddCoordinatorAccessInterceptor(this IServiceCollection services)
    {
        services.AddGrpc(o => o.Interceptors.Add<AccessInterceptor>());
        return services;
    }
}
