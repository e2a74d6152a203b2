using MlOps.Artifacts.Manifests;

namespace MlOps.Artifacts.Packaging;

/// <summary>A file to push as one layer of an artifact, written back under <see cref="FileName"/> on pull
/// (its <c>org.opencontainers.image.title</c> annotation).</summary>
public sealed record ArtifactLayer(string Path, string MediaType)
{
    /// <summary>The name on pull; the file's own name when not given.</summary>
    public string? Title { get; init; }

    public string FileName => Title ?? System.IO.Path.GetFileName(Path);

    /// <summary>A training checkpoint (<see cref="OciMediaTypes.Checkpoint"/>).</summary>
    public static ArtifactLayer Checkpoint(string path, string? title = null) => new(path, OciMediaTypes.Checkpoint) { Title = title };

    /// <summary>A training log (<see cref="OciMediaTypes.TrainingLog"/>).</summary>
    public static ArtifactLayer TrainingLog(string path, string? title = null) => new(path, OciMediaTypes.TrainingLog) { Title = title };

    /// <summary>A model's reference data profile (<see cref="OciMediaTypes.Profile"/>).</summary>
    public static ArtifactLayer Profile(string path, string? title = null) => new(path, OciMediaTypes.Profile) { Title = title };
}
