using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MlOps.Coordinator.Access;

public static class AccessServiceExtensions
{
    /// <summary>Tokens, the audit log and the agents' inference credentials.</summary>
    public static IServiceCollection AddCoordinatorAccess(this IServiceCollection services)
    {
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
