using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Serving.Metrics;
using MlOps.Serving.Protocol.Grpc;
using MlOps.Serving.Protocol.Rest;

namespace MlOps.Serving.Protocol;

/// <summary>Composition of the Open Inference Protocol layer: gRPC service, gRPC health, reflection and REST.</summary>
public static class OpenInferenceExtensions
{
    /// <summary>Health-check tag of the "a model is ready" check; the gRPC health service name
    /// <c>inference.GRPCInferenceService</c> reports only checks with this tag.</summary>
    public const string HealthTag = "open-inference";

    /// <summary>The gRPC service name clients pass to grpc.health.v1 Check for the inference service alone.</summary>
    public const string GrpcServiceName = "inference.GRPCInferenceService";

    /// <summary>
    /// Registers the gRPC inference service with message limits from <see cref="OpenInferenceOptions.MaxMessageBytes"/>,
    /// the standard gRPC health service (SERVING once the repository has a ready model), gRPC server reflection and the
    /// options (validated at start). The host registers <see cref="Models.IModelRepository"/>; it may also bind
    /// <see cref="OpenInferenceOptions.SectionName"/> with <c>AddOptions&lt;OpenInferenceOptions&gt;().BindConfiguration</c>.
    /// </summary>
    public static IServiceCollection AddOpenInference(this IServiceCollection services, Action<OpenInferenceOptions>? configure = null)
    {
        var options = services.AddOptions<OpenInferenceOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenInferenceOptions>, OpenInferenceOptionsValidator>());

        services.AddGrpc();
        services.AddOptions<GrpcServiceOptions<InferenceGrpcService>>()
            .Configure<IOptions<OpenInferenceOptions>>((grpc, inference) =>
            {
                grpc.MaxReceiveMessageSize = inference.Value.MaxMessageBytes;
                grpc.MaxSendMessageSize = inference.Value.MaxMessageBytes;
                grpc.Interceptors.Add<GrpcExceptionInterceptor>();
            });

        services.AddGrpcHealthChecks(o => o.Services.Map(GrpcServiceName, check => check.Tags.Contains(HealthTag)))
            .AddCheck<ReadyModelHealthCheck>("open-inference-ready-model", tags: [HealthTag]);
        services.AddGrpcReflection();
        return services;
    }

    /// <summary>
    /// Maps <c>inference.GRPCInferenceService</c>, <c>grpc.health.v1.Health</c>, gRPC reflection, the REST API
    /// (<see cref="OpenInferenceRestEndpoints.MapOpenInferenceRest"/>) and the Prometheus metrics at <c>/metrics</c>
    /// (<see cref="MetricsEndpoints.MapInferenceMetrics"/>). gRPC needs an HTTP/2 endpoint; a host that maps the
    /// gRPC health service itself must not call this as well.
    /// </summary>
    public static IEndpointRouteBuilder MapOpenInference(this IEndpointRouteBuilder endpoints)
    {
        // Kestrel's 30 MB request body default would cut a large gRPC request (or a long ModelStreamInfer stream)
        // short with UNKNOWN; gRPC's own per-message limit from MaxMessageBytes applies instead.
        endpoints.MapGrpcService<InferenceGrpcService>().WithMetadata(new NoRequestBodySizeLimit());
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcReflectionService();
        endpoints.MapOpenInferenceRest();
        endpoints.MapInferenceMetrics();
        return endpoints;
    }
}

/// <summary>Endpoint metadata that lifts the server's request body size limit (routing applies it per request).</summary>
internal sealed class NoRequestBodySizeLimit : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize => null;
}
