using System.Text.Json;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Naming;
using MlOps.Artifacts.Packaging;

namespace MlOps.Artifacts.Datasets;

/// <summary>
/// A dataset version as an OCI artifact: manifest <c>artifactType</c> <see cref="OciMediaTypes.DatasetArtifact"/>,
/// one <see cref="OciMediaTypes.DatasetFile"/> layer per file (title = file name), config
/// <see cref="DatasetArtifactConfig"/>. Files are ordered by name, so the same files give the same manifest digest,
/// which is the dataset's version digest.
/// </summary>
public static class DatasetArtifact
{
    /// <summary>The config is written beside the files on pull under this name (so no dataset file may use it).</summary>
    public const string ConfigFileName = "dataset.json";

    private static readonly string[] Reserved = [ConfigFileName];

    /// <summary>Pushes the files (those already in the repository are not sent again), the config and the manifest,
    /// and points <paramref name="tag"/> at it. Returns the manifest digest: the dataset's version digest.</summary>
    public static async Task<string> PushDatasetAsync(this IArtifactStore store, string repository, string tag, string datasetName,
        IReadOnlyList<string> filePaths, string? version = null, string? description = null, CancellationToken cancellationToken = default)
    {
        ArtifactNames.ValidateRepository(repository);
        ArtifactNames.ValidateTag(tag);
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetName);
        if (filePaths is not { Count: > 0 })
        {
            throw new ArgumentException($"dataset {datasetName} has no files", nameof(filePaths));
        }

        var ordered = filePaths.OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList();
        LayerFileNames.Check(ordered.Select(p => Path.GetFileName(p)), Reserved, message => new ArgumentException($"dataset {message}", nameof(filePaths)));
        var layers = new List<BlobDescriptor>();
        foreach (var path in ordered)
        {
            layers.Add(await ArtifactPackager.PushLayerAsync(store, repository, path, OciMediaTypes.DatasetFile, Path.GetFileName(path), cancellationToken));
        }

        var config = new DatasetArtifactConfig(datasetName, layers.Select(l => new DatasetFile(ArtifactPackager.TitleOf(l)!, l.Digest, l.Size)).ToList())
        {
            Version = version,
            Description = description,
        };
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        ArtifactPackager.Annotate(annotations, OciAnnotations.Title, datasetName);
        ArtifactPackager.Annotate(annotations, OciAnnotations.Version, version);
        ArtifactPackager.Annotate(annotations, OciAnnotations.Description, description);
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(config, ArtifactJsonContext.Default.DatasetArtifactConfig);
        return await ArtifactPackager.PushManifestAsync(store, repository, tag, OciMediaTypes.DatasetArtifact, configBytes, OciMediaTypes.DatasetConfig,
            layers, annotations, cancellationToken);
    }

    /// <summary>Downloads a dataset version into <paramref name="outputDirectory"/> (its files plus
    /// <see cref="ConfigFileName"/>), every file verified; the directory appears only when complete.</summary>
    public static async Task<PulledDataset> PullDatasetAsync(this IArtifactStore store, string repository, string reference, string outputDirectory,
        CancellationToken cancellationToken = default)
    {
        ArtifactNames.ValidateRepository(repository);
        ArtifactNames.ValidateReference(reference);
        var (content, manifest, configBytes) = await ArtifactPackager.ReadAsync(store, repository, reference, OciMediaTypes.DatasetArtifact,
            OciMediaTypes.DatasetConfig, cancellationToken);
        var where = $"{repository}@{content.Digest} at {store.Location}";
        var config = ArtifactJsonContext.Deserialize(configBytes, ArtifactJsonContext.Default.DatasetArtifactConfig, where);
        if (config.Files?.Any(f => f is null) == true)
        {
            // "files": [null] deserializes, and reading it below would throw NullReferenceException.
            throw new ArtifactInvalidException($"{where}: the config's file list holds a null entry");
        }

        var files = manifest.Layers.Select(l => (Layer: l, FileName: ArtifactPackager.TitleOf(l) ?? string.Empty)).ToList();
        LayerFileNames.Check(files.Select(f => f.FileName), Reserved, message => new ArtifactInvalidException($"{where}: layer {message}"));
        var listed = (config.Files ?? []).Select(f => (f.Name, f.Digest, f.Size)).ToHashSet();
        if (listed.Count != files.Count || files.Any(f => !listed.Contains((f.FileName, f.Layer.Digest, f.Layer.Size))))
        {
            throw new ArtifactInvalidException($"{where}: the config's file list does not match the manifest's layers");
        }

        using var directory = new AtomicDirectory(outputDirectory);
        await ArtifactPackager.DownloadAsync(store, repository, files, directory.Staging, cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(directory.Staging, ConfigFileName), configBytes, cancellationToken);
        var final = directory.Commit();
        return new PulledDataset(final, content.Digest, config, files.Select(f => Path.Combine(final, f.FileName)).ToList());
    }
}

/// <summary>A dataset version written to disk by <see cref="DatasetArtifact.PullDatasetAsync"/>;
/// <see cref="VersionDigest"/> is its manifest digest.</summary>
public sealed record PulledDataset(string Directory, string VersionDigest, DatasetArtifactConfig Config, IReadOnlyList<string> Files);
