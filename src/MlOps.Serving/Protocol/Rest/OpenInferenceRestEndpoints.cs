using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using MlOps.Serving.Models;

namespace MlOps.Serving.Protocol.Rest;

/// <summary>The Open Inference Protocol REST API (<c>/v2/...</c>) and the Triton extensions tritonclient calls.</summary>
public static class OpenInferenceRestEndpoints
{
    /// <summary>
    /// Maps <c>/v2</c>, <c>/v2/health/live|ready</c>, <c>/v2/models/{m}[/versions/{v}]</c> with <c>/ready</c>,
    /// <c>/config</c>, <c>/stats</c> and <c>/infer</c>, <c>/v2/models/stats</c> and <c>/v2/repository/...</c>.
    /// Every error is <c>{"error": "..."}</c>; an unknown path under <c>/v2</c> is a 404 in that form.
    /// Needs <see cref="IModelRepository"/> and <see cref="OpenInferenceOptions"/> in DI (see
    /// <see cref="OpenInferenceExtensions.AddOpenInference"/>).
    /// </summary>
    public static RouteGroupBuilder MapOpenInferenceRest(this IEndpointRouteBuilder endpoints)
    {
        var v2 = endpoints.MapGroup("/v2");
        v2.AddEndpointFilter<RestExceptionFilter>();

        v2.MapGet("", ([FromServices] IOptions<OpenInferenceOptions> o) => RestHandlers.ServerMetadata(o));
        v2.MapGet("/health/live", RestHandlers.Live);
        v2.MapGet("/health/ready", ([FromServices] IModelRepository r) => RestHandlers.Ready(r));
        v2.MapGet("/models/stats", (HttpContext c, [FromServices] IModelRepository r) => RestHandlers.Statistics(c, r));

        foreach (var model in new[] { "/models/{model}", "/models/{model}/versions/{version}" })
        {
            v2.MapGet(model, (HttpContext c, [FromServices] IModelRepository r) => RestHandlers.ModelMetadata(c, r));
            v2.MapGet(model + "/ready", (HttpContext c, [FromServices] IModelRepository r) => RestHandlers.ModelReady(c, r));
            v2.MapGet(model + "/config", (HttpContext c, [FromServices] IModelRepository r) => RestHandlers.ModelConfig(c, r));
            v2.MapGet(model + "/stats", (HttpContext c, [FromServices] IModelRepository r) => RestHandlers.Statistics(c, r));
            v2.MapPost(model + "/infer", (HttpContext c, [FromServices] IModelRepository r, [FromServices] IOptions<OpenInferenceOptions> o) =>
                RestHandlers.Infer(c, r, o));
            v2.MapPost(model + "/feedback", (HttpContext c, [FromServices] IModelRepository r, [FromServices] IOptions<OpenInferenceOptions> o) =>
                RestHandlers.Feedback(c, r, o));
        }

        v2.MapPost("/repository/index", (HttpContext c, [FromServices] IModelRepository r, [FromServices] IOptions<OpenInferenceOptions> o) =>
            RestHandlers.RepositoryIndex(c, r, o));
        v2.MapPost("/repository/models/{model}/load", (HttpContext c, [FromServices] IModelRepository r, [FromServices] IOptions<OpenInferenceOptions> o) =>
            RestHandlers.Load(c, r, o));
        v2.MapPost("/repository/models/{model}/unload", (HttpContext c, [FromServices] IModelRepository r, [FromServices] IOptions<OpenInferenceOptions> o) =>
            RestHandlers.Unload(c, r, o));

        v2.MapFallback("{**path}", (HttpContext c) => RestHandlers.NotFound(c));
        return v2;
    }
}
