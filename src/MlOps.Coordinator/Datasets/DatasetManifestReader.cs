using System.Text.Json;
using MlOps.Artifacts;
using MlOps.Artifacts.Datasets;
using MlOps.Artifacts.Manifests;
using MlOps.Core.Jobs;
using DatasetFile = MlOps.Contracts.DatasetFile;

namespace MlOps.Coordinator.Datasets;

/// <summary>A dataset artifact's manifest as read from the store: its exact bytes and the files it lists.</summary>
internal sealed record DatasetManifest(string Digest, ManifestContent Content, IReadOnlyList<DatasetFile> Files);

/// <summary>
/// Reads a dataset version's manifest (docs/artifacts.md): an OCI image manifest with artifact type
/// <see cref="OciMediaTypes.DatasetArtifact"/> (or a config of type <see cref="OciMediaTypes.DatasetConfig"/>) whose
/// layers are the files, each named by its <c>org.opencontainers.image.title</c> annotation, and whose config
/// (<see cref="DatasetArtifactConfig"/>) lists the same files. Problems come back as
/// <see cref="DatasetRegistrationException"/> carrying the status a caller should see.
/// </summary>
internal sealed class DatasetManifestReader(IArtifactStore store)
{
    /// <summary>Config blobs are small JSON documents; a larger one is refused rather than read into memory.</summary>
    private const int MaxConfigBytes = 16 * 1024 * 1024;

    private static readonly JsonSerializerOptions ConfigJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true };

    public async Task<DatasetManifest> ReadAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        ManifestContent content;
        try
        {
            content = await store.GetManifestAsync(repository, digest, cancellationToken);
        }
        catch (ArtifactNotFoundException ex)
        {
            throw DatasetRegistrationException.NotFound("manifest_digest",
                $"repository '{repository}' has no manifest {digest}; push the files and the manifest first ({ex.Message})");
        }
        catch (ArtifactCorruptException ex)
        {
            throw DatasetRegistrationException.DataLoss($"the stored manifest {digest} in '{repository}' is corrupt: {ex.Message}");
        }
        catch (ArtifactInvalidException ex)
        {
            throw NotADataset(repository, digest, ex.Message);
        }

        OciManifest manifest;
        try
        {
            manifest = OciManifest.Parse(content.Bytes, $"{repository}@{digest}");
        }
        catch (ArtifactInvalidException ex)
        {
            throw NotADataset(repository, digest, ex.Message);
        }

        if (manifest.ArtifactType != OciMediaTypes.DatasetArtifact && manifest.Config.MediaType != OciMediaTypes.DatasetConfig)
        {
            throw NotADataset(repository, digest,
                $"its artifact type is '{manifest.ArtifactType ?? "(none)"}' with config '{manifest.Config.MediaType}'; a dataset has artifact type '{OciMediaTypes.DatasetArtifact}'");
        }

        var files = new List<DatasetFile>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < manifest.Layers.Count; i++)
        {
            var layer = manifest.Layers[i];
            var name = layer.Annotations?.GetValueOrDefault(OciAnnotations.Title);
            if (string.IsNullOrEmpty(name))
            {
                throw NotADataset(repository, digest, $"layer {i} ({layer.Digest}) has no {OciAnnotations.Title} annotation naming its file");
            }

            try
            {
                DatasetFileNames.Check(name);
            }
            catch (DatasetFileException ex)
            {
                throw NotADataset(repository, digest, ex.Message);
            }

            if (name == DatasetArtifact.ConfigFileName)
            {
                throw NotADataset(repository, digest, $"file name '{name}' is reserved for the dataset's config on pull");
            }

            if (!names.Add(name))
            {
                throw NotADataset(repository, digest, $"file '{name}' appears twice");
            }

            files.Add(new DatasetFile { Name = name, Digest = layer.Digest, Size = layer.Size });
        }

        if (files.Count == 0)
        {
            throw NotADataset(repository, digest, "it lists no files");
        }

        await CheckConfigAsync(repository, digest, manifest.Config, files, cancellationToken);
        return new DatasetManifest(content.Digest, content, files);
    }

    /// <summary>The config must list exactly the manifest's files: agents pull with the library, which insists on it.</summary>
    private async Task CheckConfigAsync(string repository, string digest, BlobDescriptor descriptor, List<DatasetFile> files, CancellationToken cancellationToken)
    {
        DatasetArtifactConfig? config;
        try
        {
            var bytes = await store.ReadBlobBytesAsync(repository, descriptor, MaxConfigBytes, cancellationToken);
            config = JsonSerializer.Deserialize<DatasetArtifactConfig>(bytes, ConfigJson);
        }
        catch (ArtifactNotFoundException ex)
        {
            throw NotADataset(repository, digest, $"its config blob {descriptor.Digest} is not in the repository ({ex.Message})");
        }
        catch (ArtifactCorruptException ex)
        {
            throw DatasetRegistrationException.DataLoss($"the config blob of {repository}@{digest} is corrupt: {ex.Message}");
        }
        catch (Exception ex) when (ex is JsonException or ArtifactInvalidException or NotSupportedException)
        {
            throw NotADataset(repository, digest, $"its config is not a dataset config: {ex.Message}");
        }

        if (config?.Files?.Any(f => f is null) == true)
        {
            // "files": [null] deserializes, and reading it below would throw NullReferenceException.
            throw NotADataset(repository, digest, "its config's file list holds a null entry");
        }

        var listed = (config?.Files ?? []).Select(f => (f.Name, f.Digest, f.Size)).ToHashSet();
        if (listed.Count != files.Count || files.Any(f => !listed.Contains((f.Name, f.Digest, f.Size))))
        {
            throw NotADataset(repository, digest, "the config's file list does not match the manifest's layers");
        }
    }

    private static DatasetRegistrationException NotADataset(string repository, string digest, string why) =>
        DatasetRegistrationException.Invalid([new FieldError("manifest_digest", $"{repository}@{digest} is not a dataset artifact: {why}")]);
}
