using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol.Grpc;

namespace MlOps.Serving.Protocol.Rest;

/// <summary>The REST handlers. Health and readiness answer exactly 200 when true and 400 when false (Triton's codes).</summary>
internal static class RestHandlers
{
    public static IResult Live() => RestResult.Json(StatusCodes.Status200OK, w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("live", true);
        w.WriteEndObject();
    });

    public static IResult Ready(IModelRepository repository)
    {
        var ready = repository.HasReadyModel();
        return RestResult.Json(ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("ready", ready);
            w.WriteEndObject();
        });
    }

    public static IResult ServerMetadata(IOptions<OpenInferenceOptions> options) => RestResult.Json(StatusCodes.Status200OK, w =>
    {
        w.WriteStartObject();
        w.WriteString("name", options.Value.ServerName);
        w.WriteString("version", options.Value.ServerVersion);
        w.WriteStartArray("extensions");
        foreach (var extension in ServerIdentity.Extensions)
        {
            w.WriteStringValue(extension);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>404 for an unknown model or version; 400 with <c>"ready": false</c> for a known one that is not ready.</summary>
    public static IResult ModelReady(HttpContext context, IModelRepository repository)
    {
        var (name, version) = Route(context);
        bool ready;
        try
        {
            ready = repository.Find(name, version).IsReady;
        }
        catch (InferenceException e) when (e.Kind == InferenceErrorKind.Unavailable)
        {
            ready = false;
        }

        return RestResult.Json(ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, w =>
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteBoolean("ready", ready);
            w.WriteEndObject();
        });
    }

    public static IResult ModelMetadata(HttpContext context, IModelRepository repository)
    {
        var (name, version) = Route(context);
        var metadata = ModelDescriptionMapper.Metadata(repository.Find(name, version).Descriptor, repository.Versions(name));
        return RestResult.Json(StatusCodes.Status200OK, w => RestJson.Metadata(w, metadata));
    }

    public static IResult ModelConfig(HttpContext context, IModelRepository repository)
    {
        var (name, version) = Route(context);
        var config = ModelDescriptionMapper.Config(repository.Find(name, version).Descriptor);
        return RestResult.Json(StatusCodes.Status200OK, w => RestJson.Config(w, config));
    }

    public static IResult Statistics(HttpContext context, IModelRepository repository)
    {
        var (name, version) = Route(context);
        var statistics = StatisticsMapper.Collect(repository, name, version);
        return RestResult.Json(StatusCodes.Status200OK, w => RestJson.Statistics(w, statistics));
    }

    public static async Task<IResult> Infer(HttpContext context, IModelRepository repository, IOptions<OpenInferenceOptions> options)
    {
        var (name, version) = Route(context);
        var body = await RestBody.ReadAsync(context.Request, options.Value.MaxMessageBytes, context.RequestAborted);
        var headerLength = RestBody.HeaderLength(context.Request, body.Length);
        var model = repository.FindReady(name, version);

        RestInferRequest parsed;
        if (headerLength == 0)
        {
            parsed = RawBinaryRequest.Read(model.Descriptor, version, body);
        }
        else
        {
            var jsonLength = headerLength ?? body.Length;
            using var document = RestBody.ParseJson(body.AsMemory(0, jsonLength));
            parsed = RestInferRequestReader.Read(name, version, document.RootElement, body.AsMemory(jsonLength));
        }

        var response = await repository.InferAsync(model, name, version, parsed.Request, context.RequestAborted);
        return RestInferResponseWriter.Write(response, parsed.Request.Id, parsed.Outputs);
    }

    /// <summary>MlOps extension: ground-truth labels for earlier predictions, by request id; answers with what matched
    /// and each version's live accuracy.</summary>
    public static async Task<IResult> Feedback(HttpContext context, IModelRepository repository, IOptions<OpenInferenceOptions> options)
    {
        var (name, version) = Route(context);
        var body = await RestBody.ReadAsync(context.Request, options.Value.MaxMessageBytes, context.RequestAborted);
        using var document = RestBody.ParseJson(body);
        var result = MlOps.Serving.Feedback.FeedbackHandler.Apply(repository, name, version, MlOps.Serving.Feedback.FeedbackHandler.Read(document.RootElement));
        return RestResult.Json(StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteString("model", result.Model);
            w.WriteNumber("matched", result.Matched);
            w.WriteNumber("unknown_count", result.UnknownCount);
            w.WriteStartArray("unknown");
            foreach (var id in result.Unknown)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
            w.WriteStartArray("versions");
            foreach (var v in result.Versions)
            {
                w.WriteStartObject();
                w.WriteString("version", v.Version);
                Window(w, "last_5m", v.Last5Minutes);
                Window(w, "last_60m", v.Last60Minutes);
                Window(w, "since_load", v.SinceLoad);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

        static void Window(Utf8JsonWriter w, string name, (long Correct, long Total) counts)
        {
            w.WriteStartObject(name);
            w.WriteNumber("labels", counts.Total);
            w.WriteNumber("correct", counts.Correct);
            if (counts.Total > 0)
            {
                w.WriteNumber("accuracy", (double)counts.Correct / counts.Total);
            }
            else
            {
                w.WriteNull("accuracy");
            }

            w.WriteEndObject();
        }
    }

    public static async Task<IResult> RepositoryIndex(HttpContext context, IModelRepository repository, IOptions<OpenInferenceOptions> options)
    {
        using var body = await OptionalJsonAsync(context, options.Value.MaxMessageBytes);
        var readyOnly = body is not null && JsonFields.OptionalBool(Object(body), "ready", "the request") == true;
        var entries = repository.Index().Where(e => !readyOnly || e.State == ModelRepositoryLookup.ReadyState).ToList();
        return RestResult.Json(StatusCodes.Status200OK, w => RestJson.Index(w, entries));
    }

    public static async Task<IResult> Load(HttpContext context, IModelRepository repository, IOptions<OpenInferenceOptions> options)
    {
        var (name, _) = Route(context);
        using var body = await OptionalJsonAsync(context, options.Value.MaxMessageBytes);
        if (body is not null && JsonFields.Optional(Object(body), "parameters", JsonValueKind.Object, "the request") is { } parameters)
        {
            RepositoryParameters.RejectUnsupported(parameters.EnumerateObject().Select(p => p.Name));
        }

        await repository.LoadAsync(name, context.RequestAborted);
        return RestResult.Ok();
    }

    public static async Task<IResult> Unload(HttpContext context, IModelRepository repository, IOptions<OpenInferenceOptions> options)
    {
        var (name, _) = Route(context);
        using var body = await OptionalJsonAsync(context, options.Value.MaxMessageBytes);
        await repository.UnloadAsync(name, context.RequestAborted);
        return RestResult.Ok();
    }

    public static IResult NotFound(HttpContext context) => RestResult.Error(
        StatusCodes.Status404NotFound, $"no Open Inference endpoint for {context.Request.Method} {context.Request.Path}");

    private static (string Name, string? Version) Route(HttpContext context) =>
        (context.GetRouteValue("model") as string ?? string.Empty, ModelRepositoryLookup.NullIfEmpty(context.GetRouteValue("version") as string));

    private static async Task<JsonDocument?> OptionalJsonAsync(HttpContext context, int maxBytes)
    {
        var body = await RestBody.ReadAsync(context.Request, maxBytes, context.RequestAborted);
        return body.Length == 0 ? null : RestBody.ParseJson(body);
    }

    private static JsonElement Object(JsonDocument document) => document.RootElement.ValueKind == JsonValueKind.Object
        ? document.RootElement
        : throw Tensors.TensorLayout.Invalid("the request body must be a JSON object");
}
