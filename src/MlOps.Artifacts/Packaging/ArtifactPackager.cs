using MlOps.Artifacts.Manifests;

namespace MlOps.Artifacts.Packaging;

/// <summary>What model and dataset artifacts share: push files as layers, then the config blob, then the manifest;
/// read a manifest of an expected artifact type with its config; write layers into a pull directory.</summary>
internal static class ArtifactPackager
{
    /// <summary>Config blobs are small JSON documents; anything larger is refused rather than read into memory.</summary>
    public const int MaxConfigBytes = 16 * 1024 * 1024;

    public static async Task<BlobDescriptor> PushLayerAsync(IArtifactStore store, string repository, string path, string mediaType,
        string title, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} not found; nothing was pushed to {repository}", path);
        }

        var pushed = await store.PushFileAsync(repository, path, mediaType, cancellationToken);
        return pushed with { Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [OciAnnotations.Title] = title } };
    }

    /// <summary>Pushes the config blob and the manifest (layers must be pushed already); returns the manifest digest.</summary>
    public static async Task<string> PushManifestAsync(IArtifactStore store, string repository, string tag, string artifactType,
        byte[] config, string configMediaType, IReadOnlyList<BlobDescriptor> layers, IReadOnlyDictionary<string, string> annotations,
        CancellationToken cancellationToken)
    {
        var configDescriptor = await store.PushBytesAsync(repository, config, configMediaType, cancellationToken);
        var manifest = new OciManifest(configDescriptor with { MediaType = configMediaType }, layers)
        {
            ArtifactType = artifactType,
            Annotations = annotations.Count > 0 ? annotations : null,
        };
        return await store.PushManifestAsync(repository, manifest.ToJsonBytes(), OciMediaTypes.ImageManifest, tag, cancellationToken);
    }

    /// <summary>The manifest at <paramref name="reference"/>, checked to be of <paramref name="artifactType"/>, and its config bytes.</summary>
    public static async Task<(ManifestContent Content, OciManifest Manifest, byte[] Config)> ReadAsync(IArtifactStore store, string repository,
        string reference, string artifactType, string configMediaType, CancellationToken cancellationToken)
    {
        var content = await store.GetManifestAsync(repository, reference, cancellationToken);
        var where = $"{repository}@{content.Digest} at {store.Location}";
        if (content.MediaType != OciMediaTypes.ImageManifest)
        {
            throw new ArtifactInvalidException($"{where} is a {content.MediaType}, not an OCI image manifest of a {artifactType} artifact");
        }

        var manifest = OciManifest.Parse(content.Bytes, where);
        var type = manifest.ArtifactType ?? manifest.Config.MediaType;
        if (type != artifactType && manifest.Config.MediaType != configMediaType)
        {
            throw new ArtifactInvalidException($"{where} is a '{type}' artifact, not '{artifactType}'");
        }

        var config = await store.ReadBlobBytesAsync(repository, manifest.Config, MaxConfigBytes, cancellationToken);
        return (content, manifest, config);
    }

    /// <summary>Downloads each layer to <c>staging/&lt;file name&gt;</c>, every one verified.</summary>
    public static async Task<IReadOnlyList<string>> DownloadAsync(IArtifactStore store, string repository,
        IEnumerable<(BlobDescriptor Layer, string FileName)> layers, string staging, CancellationToken cancellationToken)
    {
        var paths = new List<string>();
        foreach (var (layer, fileName) in layers)
        {
            var path = Path.Combine(staging, fileName);
            await store.DownloadBlobAsync(repository, layer, path, cancellationToken);
            paths.Add(path);
        }

        return paths;
    }

    public static string? TitleOf(BlobDescriptor layer) => layer.Annotations?.GetValueOrDefault(OciAnnotations.Title);

    public static void Annotate(Dictionary<string, string> annotations, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            annotations[key] = value;
        }
    }
}
