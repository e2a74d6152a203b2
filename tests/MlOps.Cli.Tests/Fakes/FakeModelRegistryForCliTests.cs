using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>
/// TEST DOUBLE of the coordinator's ModelRegistry for CLI tests: versions and aliases in memory, NOT_FOUND for an
/// unknown model, version or alias, the newest version when neither is given, every request recorded.
/// </summary>
internal sealed class FakeModelRegistryForCliTests : ModelRegistry.ModelRegistryBase
{
    private readonly Lock _lock = new();

    public List<ModelVersion> Versions { get; } = [];

    public ConcurrentQueue<GetModelVersionRequest> Gets { get; } = new();

    public ConcurrentQueue<SetAliasRequest> AliasesSet { get; } = new();

    public ConcurrentQueue<DeleteAliasRequest> AliasesDeleted { get; } = new();

    /// <summary>A version as the coordinator registers it after a job succeeded.</summary>
    public ModelVersion Add(string model, int version, string onnxDigest, Lineage lineage, params (string Name, double Value)[] metrics)
    {
        var entry = new ModelVersion
        {
            Model = model,
            Version = version,
            Repository = "models/" + model,
            ManifestDigest = "sha256:" + new string((char)('0' + (version % 10)), 64),
            OnnxDigest = onnxDigest,
            OnnxBytes = 407_000,
            Lineage = lineage,
            CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero).AddHours(version)),
        };
        foreach (var (name, value) in metrics)
        {
            entry.Metrics[name] = value;
        }

        lock (_lock)
        {
            Versions.Add(entry);
        }

        return entry;
    }

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse();
        lock (_lock)
        {
            foreach (var group in Versions.GroupBy(v => v.Model))
            {
                var summary = new ModelSummary
                {
                    Name = group.Key,
                    LatestVersion = group.Max(v => v.Version),
                    VersionCount = group.Count(),
                    UpdatedAt = group.MaxBy(v => v.Version)!.CreatedAt,
                };
                foreach (var version in group)
                {
                    foreach (var alias in version.Aliases)
                    {
                        summary.Aliases[alias] = version.Version;
                    }
                }

                response.Models.Add(summary);
            }
        }

        return Task.FromResult(response);
    }

    public override Task<ListModelVersionsResponse> ListModelVersions(ListModelVersionsRequest request, ServerCallContext context)
    {
        var response = new ListModelVersionsResponse();
        lock (_lock)
        {
            var versions = Versions.Where(v => v.Model == request.Model).ToList();
            if (versions.Count == 0)
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"model {request.Model} not found"));
            }

            response.Versions.Add(versions.Select(v => v.Clone()));
        }

        return Task.FromResult(response);
    }

    public override Task<ModelVersion> GetModelVersion(GetModelVersionRequest request, ServerCallContext context)
    {
        Gets.Enqueue(request);
        lock (_lock)
        {
            return Task.FromResult(Find(request.Model, request.Version, request.Alias).Clone());
        }
    }

    public override Task<ModelVersion> SetAlias(SetAliasRequest request, ServerCallContext context)
    {
        AliasesSet.Enqueue(request);
        lock (_lock)
        {
            var target = Find(request.Model, request.Version, "");
            foreach (var version in Versions.Where(v => v.Model == request.Model))
            {
                version.Aliases.Remove(request.Alias);
            }

            target.Aliases.Add(request.Alias);
            return Task.FromResult(target.Clone());
        }
    }

    public override Task<DeleteAliasResponse> DeleteAlias(DeleteAliasRequest request, ServerCallContext context)
    {
        AliasesDeleted.Enqueue(request);
        lock (_lock)
        {
            var holder = Find(request.Model, 0, request.Alias);
            holder.Aliases.Remove(request.Alias);
        }

        return Task.FromResult(new DeleteAliasResponse());
    }

    private ModelVersion Find(string model, int version, string alias)
    {
        var found = alias.Length > 0 ? Versions.FirstOrDefault(v => v.Model == model && v.Aliases.Contains(alias))
            : version > 0 ? Versions.FirstOrDefault(v => v.Model == model && v.Version == version)
            : Versions.Where(v => v.Model == model).MaxBy(v => v.Version);
        var name = alias.Length > 0 ? $"{model}@{alias}" : $"{model}:{version}";
        return found ?? throw new RpcException(new Status(StatusCode.NotFound, $"model version {name} not found"));
    }
}
