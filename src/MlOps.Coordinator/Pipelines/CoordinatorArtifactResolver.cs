using System.Globalization;
using MlOps.Artifacts;
using MlOps.Contracts;
using MlOps.Coordinator.Storage;
using MlOps.Core.Digests;
using MlOps.Pipelines.Running;
using MlOps.Pipelines.Specs;

namespace MlOps.Coordinator.Pipelines;

/// <summary>
/// Resolves a pipeline's artifact references to manifest digests: <c>dataset:NAME[@N|@digest]</c> against the dataset
/// versions, <c>model:NAME[@N|@alias|@digest]</c> against the model registry (no version: the newest), and
/// <c>artifact:REPO[@tag|@digest]</c> in the artifact store (no tag: <c>latest</c>). Datasets and models come back
/// as <c>TYPE:NAME@N</c>, so a step downstream always sees the exact version.
/// </summary>
internal sealed class CoordinatorArtifactResolver(IRegistryStore registry, IArtifactStore store) : IArtifactResolver
{
    /// <summary>The tag an <c>artifact:</c> reference without a version means.</summary>
    public const string DefaultTag = "latest";

    public async ValueTask<ResolvedArtifact> ResolveAsync(ArtifactReference reference, CancellationToken cancellationToken) =>
        reference.Type switch
        {
            "dataset" => Dataset(await FindDatasetAsync(reference, cancellationToken)),
            "model" => Model(await FindModelAsync(reference, cancellationToken)),
            "artifact" => await ResolveStoredAsync(reference, cancellationToken),
            _ => throw new ArgumentException($"unknown artifact type '{reference.Type}'", nameof(reference)),
        };

    public static ResolvedArtifact Dataset(DatasetVersion version) =>
        new($"dataset:{version.Name}@{version.Version.ToString(CultureInfo.InvariantCulture)}", version.Digest);

    public static ResolvedArtifact Model(ModelVersion version) =>
        new($"model:{version.Model}@{version.Version.ToString(CultureInfo.InvariantCulture)}", version.ManifestDigest);

    private async Task<DatasetVersion> FindDatasetAsync(ArtifactReference reference, CancellationToken cancellationToken)
    {
        var name = reference.Name;
        DatasetVersion? found;
        if (reference.Version is null)
        {
            found = await registry.GetLatestDatasetVersionAsync(name, cancellationToken);
        }
        else if (reference.IsPinned)
        {
            found = (await registry.ListDatasetVersionsAsync(name, cancellationToken)).FirstOrDefault(v => v.Digest == reference.Version);
        }
        else if (int.TryParse(reference.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            found = await registry.GetDatasetVersionAsync(name, number, cancellationToken);
        }
        else
        {
            throw new InvalidOperationException($"dataset versions are numbers or digests, not '{reference.Version}'");
        }

        return found ?? throw new InvalidOperationException(reference.Version is null
            ? $"dataset '{name}' has no registered versions; push one with 'mlops data push {name} PATH'"
            : $"dataset '{name}' has no version {reference.Version}");
    }

    private async Task<ModelVersion> FindModelAsync(ArtifactReference reference, CancellationToken cancellationToken)
    {
        var name = reference.Name;
        ModelVersion? found;
        if (reference.Version is null)
        {
            var versions = await registry.ListModelVersionsAsync(name, cancellationToken);
            found = versions is { Count: > 0 } ? versions[^1] : null;
        }
        else if (reference.IsPinned)
        {
            found = (await registry.ListModelVersionsAsync(name, cancellationToken) ?? []).FirstOrDefault(v => v.ManifestDigest == reference.Version);
        }
        else if (int.TryParse(reference.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            found = await registry.GetModelVersionAsync(name, number, cancellationToken);
        }
        else
        {
            found = await registry.GetModelVersionByAliasAsync(name, reference.Version, cancellationToken);
        }

        return found ?? throw new InvalidOperationException(reference.Version is null
            ? $"model '{name}' has no registered versions"
            : $"model '{name}' has no version or alias '{reference.Version}'");
    }

    private async Task<ResolvedArtifact> ResolveStoredAsync(ArtifactReference reference, CancellationToken cancellationToken)
    {
        if (reference.IsPinned)
        {
            // Still looked up, so a digest that names nothing fails here rather than in the step that reads it.
            await store.GetManifestAsync(reference.Name, reference.Version!, cancellationToken);
            return new ResolvedArtifact(reference.ToString(), reference.Version!);
        }

        var manifest = await store.GetManifestAsync(reference.Name, reference.Version ?? DefaultTag, cancellationToken);
        if (!Sha256Digest.IsValid(manifest.Digest))
        {
            throw new InvalidOperationException($"artifact {reference} has a manifest digest the pipeline cannot use: {manifest.Digest}");
        }

        return new ResolvedArtifact($"artifact:{reference.Name}@{manifest.Digest}", manifest.Digest);
    }
}
