using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MlOps.Serving.Protocol.Grpc;

namespace MlOps.Serving.Authentication;

/// <summary>
/// Composition of inference authentication (docs/security.md ("Inference endpoint authentication")): <see cref="AddInferenceAuthentication"/>
/// with <c>AddOpenInference</c>, <see cref="UseInferenceAuthentication"/> before <c>MapOpenInference</c>, and
/// <see cref="InferenceAuthenticationOptions.ConfigureHttps"/> on each listener when the endpoints use TLS.
/// </summary>
public static class InferenceAuthenticationExtensions
{
    /// <summary>
    /// Registers the check for <paramref name="options"/>' mode against <paramref name="credentials"/> (which the host
    /// keeps up to date; on an agent, from the coordinator's snapshots) and attaches it to the gRPC inference service.
    /// </summary>
    /// <exception cref="ArgumentException">The options are incomplete (<see cref="InferenceAuthenticationOptions.Validate"/>).</exception>
    public static IServiceCollection AddInferenceAuthentication(
        this IServiceCollection services, InferenceAuthenticationOptions options, InferenceCredentialSet credentials)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credentials);
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        services.TryAddSingleton(options);
        services.TryAddSingleton(credentials);
        services.TryAddSingleton<InferenceAuthenticator>();
        services.TryAddSingleton<GrpcAuthenticationInterceptor>();
        if (options.Mode != InferenceAuthMode.None)
        {
            // A refusal is an RpcException, which the exception interceptor passes through unchanged.
            services.AddOptions<GrpcServiceOptions<InferenceGrpcService>>()
                .Configure(grpc => grpc.Interceptors.Add<GrpcAuthenticationInterceptor>());
        }

        return services;
    }

    /// <summary>The REST check; a no-op when the mode is <see cref="InferenceAuthMode.None"/> or nothing was added.</summary>
    public static IApplicationBuilder UseInferenceAuthentication(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.ApplicationServices.GetService<InferenceAuthenticationOptions>();
        return options is null || options.Mode == InferenceAuthMode.None ? app : app.UseMiddleware<RestAuthenticationMiddleware>();
    }
}
