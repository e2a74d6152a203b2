using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Registry;
using MlOps.Coordinator.Storage;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Api;

/// <summary>
/// <c>ModelRegistry</c>: immutable model versions (registered when their training job succeeds) and mutable
/// aliases over them. The database is the source of truth for aliases; the artifact store carries only the
/// immutable <c>v&lt;N&gt;</c> tags.
/// </summary>
internal sealed class ModelRegistryGrpcService(IRegistryStore store, MlOps.Coordinator.Deployments.DeploymentSignal deployments,
    ILogger<ModelRegistryGrpcService> logger) : ModelRegistry.ModelRegistryBase
{
    public override async Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse();
        response.Models.AddRange(await store.ListModelsAsync(context.CancellationToken));
        return response;
    }

    public override async Task<ListModelVersionsResponse> ListModelVersions(ListModelVersionsRequest request, ServerCallContext context)
    {
        CheckModel(request.Model);
        var versions = await store.ListModelVersionsAsync(request.Model, context.CancellationToken)
            ?? RpcErrors.ThrowNotFound<IReadOnlyList<ModelVersion>>("model", $"model '{request.Model}' not found");
        var response = new ListModelVersionsResponse();
        response.Versions.AddRange(versions);
        return response;
    }

    /// <summary>By version, by alias, or (neither set) the newest version.</summary>
    public override async Task<ModelVersion> GetModelVersion(GetModelVersionRequest request, ServerCallContext context)
    {
        var errors = new List<FieldError>();
        AddProblem(errors, "model", RegistryNames.NameProblem(request.Model));
        if (request.Version < 0)
        {
            errors.Add(new FieldError("version", $"must be positive, got {request.Version}"));
        }

        if (request.Version > 0 && !string.IsNullOrEmpty(request.Alias))
        {
            errors.Add(new FieldError("alias", $"set either version ({request.Version}) or alias ('{request.Alias}'), not both"));
        }
        else if (!string.IsNullOrEmpty(request.Alias))
        {
            AddProblem(errors, "alias", RegistryNames.AliasProblem(request.Alias));
        }

        ThrowIfAny(errors);
        var cancellationToken = context.CancellationToken;
        if (!string.IsNullOrEmpty(request.Alias))
        {
            return await store.GetModelVersionByAliasAsync(request.Model, request.Alias, cancellationToken)
                ?? RpcErrors.ThrowNotFound<ModelVersion>("alias", await DescribeMissingAsync(request.Model, $"has no alias '{request.Alias}'", cancellationToken));
        }

        if (request.Version > 0)
        {
            return await store.GetModelVersionAsync(request.Model, request.Version, cancellationToken)
                ?? RpcErrors.ThrowNotFound<ModelVersion>("version", await DescribeMissingAsync(request.Model, $"has no version {request.Version}", cancellationToken));
        }

        var versions = await store.ListModelVersionsAsync(request.Model, cancellationToken);
        return versions is [.., var newest]
            ? newest
            : RpcErrors.ThrowNotFound<ModelVersion>("model", $"model '{request.Model}' not found");
    }

    public override async Task<ModelVersion> SetAlias(SetAliasRequest request, ServerCallContext context)
    {
        var errors = new List<FieldError>();
        AddProblem(errors, "model", RegistryNames.NameProblem(request.Model));
        AddProblem(errors, "alias", RegistryNames.AliasProblem(request.Alias));
        if (request.Version <= 0)
        {
            errors.Add(new FieldError("version", $"must be a version number (1 or more), got {request.Version}"));
        }

        ThrowIfAny(errors);
        var updated = await store.SetAliasAsync(request.Model, request.Alias, request.Version, context.CancellationToken)
            ?? RpcErrors.ThrowNotFound<ModelVersion>("version",
                await DescribeMissingAsync(request.Model, $"has no version {request.Version}", context.CancellationToken));
        RegistryLog.AliasSet(logger, request.Model, request.Alias, request.Version);
        deployments.Request(); // deployments that follow the alias roll now, not on the next beat
        return updated;
    }

    public override async Task<DeleteAliasResponse> DeleteAlias(DeleteAliasRequest request, ServerCallContext context)
    {
        var errors = new List<FieldError>();
        AddProblem(errors, "model", RegistryNames.NameProblem(request.Model));
        AddProblem(errors, "alias", RegistryNames.AliasProblem(request.Alias));
        ThrowIfAny(errors);
        if (!await store.DeleteAliasAsync(request.Model, request.Alias, context.CancellationToken))
        {
            _ = RpcErrors.ThrowNotFound<bool>("alias",
                await DescribeMissingAsync(request.Model, $"has no alias '{request.Alias}'", context.CancellationToken));
        }

        RegistryLog.AliasDeleted(logger, request.Model, request.Alias);
        return new DeleteAliasResponse();
    }

    /// <summary>"model 'm' has no version 7 (versions 1-3; aliases: production -> 2)", or "model 'm' not found".</summary>
    private async Task<string> DescribeMissingAsync(string model, string what, CancellationToken cancellationToken)
    {
        var versions = await store.ListModelVersionsAsync(model, cancellationToken);
        if (versions is null)
        {
            return $"model '{model}' not found";
        }

        var aliases = versions.SelectMany(v => v.Aliases.Select(a => $"{a} -> {v.Version}")).Order(StringComparer.Ordinal).ToList();
        var known = versions.Count switch
        {
            0 => "no versions",
            1 => $"version {versions[0].Version}",
            _ => $"versions {versions[0].Version}-{versions[^1].Version}",
        };
        return $"model '{model}' {what} ({known}; aliases: {(aliases.Count == 0 ? "none" : string.Join(", ", aliases))})";
    }

    private static void CheckModel(string model)
    {
        if (RegistryNames.NameProblem(model) is { } problem)
        {
            RpcErrors.ThrowInvalidArgument("model", problem);
        }
    }

    private static void AddProblem(List<FieldError> errors, string field, string? problem)
    {
        if (problem is not null)
        {
            errors.Add(new FieldError(field, problem));
        }
    }

    private static void ThrowIfAny(List<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw RpcErrors.InvalidArgument(errors);
        }
    }
}
