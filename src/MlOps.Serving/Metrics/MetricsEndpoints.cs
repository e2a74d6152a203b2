using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using MlOps.ServiceDefaults.Metrics;
using MlOps.Serving.Models;

namespace MlOps.Serving.Metrics;

/// <summary>The Prometheus scrape endpoint of a serving host.</summary>
public static class MetricsEndpoints
{
    /// <summary>The path Prometheus scrapes by default (and Triton serves its metrics on).</summary>
    public const string DefaultPath = "/metrics";

    /// <summary>
    /// Maps <c>GET <paramref name="pattern"/></c> to the inference metrics of every ready version of the
    /// <see cref="IModelRepository"/> in DI, in the Prometheus text format 0.0.4 (see docs/serving-host.md, Metrics).
    /// <see cref="Protocol.OpenInferenceExtensions.MapOpenInference"/> calls it.
    /// </summary>
    public static IEndpointConventionBuilder MapInferenceMetrics(this IEndpointRouteBuilder endpoints, string pattern = DefaultPath) =>
        endpoints.MapGet(pattern, ([FromServices] IModelRepository repository) =>
            Results.Text(InferenceMetricsExposition.Render(repository), PrometheusTextWriter.ContentType));
}
