using MlOps.Serving.Models;

namespace MlOps.Serving.Protocol;

/// <summary>
/// Model lookups shared by the gRPC and REST layers, so both answer an unknown model, an unknown version and a
/// version that is not ready with the same error kind and message.
/// </summary>
internal static class ModelRepositoryLookup
{
    /// <summary>The state the repository index reports for a version that serves requests.</summary>
    public const string ReadyState = "READY";

    /// <summary>The server is ready when at least one model version is ready (this is also the gRPC health rule).</summary>
    public static bool HasReadyModel(this IModelRepository repository) =>
        repository.Index().Any(e => e.State == ReadyState);

    /// <summary>A version for metadata and config; it need not be ready.</summary>
    /// <exception cref="InferenceException">NotFound for an unknown model or version; Unavailable when no version can be picked.</exception>
    public static IServedModel Find(this IModelRepository repository, string name, string? version)
    {
        RequireName(name);
        var found = NullIfEmpty(version) is { } pinned ? repository.TryGet(name, pinned, out var model) : repository.TryGetPrimary(name, out model);
        return found ? model : throw Missing(repository, name, NullIfEmpty(version));
    }

    /// <summary>A version that can run inference now.</summary>
    /// <exception cref="InferenceException">NotFound for an unknown model or version; Unavailable when it is not ready.</exception>
    public static IServedModel FindReady(this IModelRepository repository, string name, string? version)
    {
        RequireName(name);
        var model = repository.TryGet(name, NullIfEmpty(version), out var routed) ? routed : throw Missing(repository, name, NullIfEmpty(version));
        if (!model.IsReady)
        {
            throw new InferenceException(
                InferenceErrorKind.Unavailable,
                $"model '{name}' version '{model.Descriptor.Version}' is not ready");
        }

        return model;
    }

    /// <summary>
    /// Runs <paramref name="request"/> on <paramref name="model"/> (found with <see cref="FindReady"/>). A request
    /// that named no version and lost a race with an unload (its routed version began draining between the lookup
    /// and the enqueue, as in a rollout) is routed again once, so a rollout drops nothing.
    /// </summary>
    public static async ValueTask<InferenceResponse> InferAsync(this IModelRepository repository, IServedModel model,
        string name, string? version, InferenceRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await model.InferAsync(request, cancellationToken);
        }
        catch (InferenceException ex) when (ex.Kind == InferenceErrorKind.Unavailable && NullIfEmpty(version) is null &&
                                            !cancellationToken.IsCancellationRequested)
        {
            if (!repository.TryGet(name, null, out var next) || ReferenceEquals(next, model) || !next.IsReady)
            {
                throw;
            }

            return await next.InferAsync(request, cancellationToken);
        }
    }

    /// <summary>Readiness for the ready endpoints: false for an unknown model rather than an error.</summary>
    public static bool IsModelReady(this IModelRepository repository, string name, string? version)
    {
        RequireName(name);
        var found = NullIfEmpty(version) is { } pinned ? repository.TryGet(name, pinned, out var model) : repository.TryGetPrimary(name, out model);
        return found && model.IsReady;
    }

    /// <summary>True when the index lists <paramref name="name"/> at all.</summary>
    public static bool Knows(this IModelRepository repository, string name) =>
        repository.Index().Any(e => e.Name == name);

    /// <summary>Every version the index lists for <paramref name="name"/>.</summary>
    public static IReadOnlyList<string> Versions(this IModelRepository repository, string name) =>
        repository.Index().Where(e => e.Name == name).Select(e => e.Version).Distinct(StringComparer.Ordinal).ToList();

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void RequireName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new InferenceException(InferenceErrorKind.InvalidArgument, "a model name is required");
        }
    }

    private static InferenceException Missing(IModelRepository repository, string name, string? version)
    {
        var entries = repository.Index().Where(e => e.Name == name).ToList();
        if (entries.Count == 0)
        {
            return new InferenceException(InferenceErrorKind.NotFound, $"unknown model '{name}'");
        }

        if (version is not null)
        {
            var entry = entries.FirstOrDefault(e => e.Version == version);
            return entry is null
                ? new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' has no version '{version}'")
                : new InferenceException(InferenceErrorKind.Unavailable, $"model '{name}' version '{version}' is {entry.State}{Reason(entry)}");
        }

        return new InferenceException(InferenceErrorKind.Unavailable, $"model '{name}' has no ready version");
    }

    private static string Reason(ModelIndexEntry entry) => string.IsNullOrEmpty(entry.Reason) ? string.Empty : $": {entry.Reason}";
}
