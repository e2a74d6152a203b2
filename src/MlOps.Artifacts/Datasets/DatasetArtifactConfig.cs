using System.Text.Json.Serialization;

namespace MlOps.Artifacts.Datasets;

/// <summary>
/// The config blob of a dataset artifact (<c>application/vnd.mlops.dataset.config.v1+json</c>): the dataset's name
/// and its files with their digests and sizes, in ordinal name order. The dataset's version digest is the digest of
/// the manifest that carries this config.
/// </summary>
public sealed record DatasetArtifactConfig(string Name, IReadOnlyList<DatasetFile> Files)
{
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyOrder(-1)]
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Annotation <c>org.opencontainers.image.version</c>.</summary>
    public string? Version { get; init; }

    /// <summary>Annotation <c>org.opencontainers.image.description</c>.</summary>
    public string? Description { get; init; }
}

/// <summary>One file of a dataset: its name in the dataset directory, digest and size in bytes.</summary>
public sealed record DatasetFile(string Name, string Digest, long Size);
