using System.Text.Json;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Naming;
using MlOps.Artifacts.Packaging;

namespace MlOps.Artifacts.Models;

/// <summary>
/// A trained model as an OCI artifact: manifest <c>artifactType</c> <see cref="OciMediaTypes.ModelArtifact"/>, config
/// blob <see cref="ModelArtifactConfig"/>, first layer the ONNX file (titled <c>model.onnx</c>), then optional
/// checkpoint and training-log layers. See docs/artifacts.md.
/// </summary>
public static class ModelArtifact
{
    public const string OnnxFileName = "model.onnx";

    public const string ConfigFileName = "config.json";

    public const string ManifestFileName = "manifest.json";

    private static readonly string[] Reserved = [OnnxFileName, ConfigFileName, ManifestFileName];

    /// <summary>Pushes the ONNX file, the extra layers (files already in the repository are not sent again), the config
    /// and the manifest, and points <paramref name="tag"/> at it. Returns the manifest digest.</summary>
    public static async Task<string> PushModelAsync(this IArtifactStore store, string repository, string tag, ModelArtifactConfig config,
        string onnxPath, IReadOnlyList<ArtifactLayer>? extraLayers = null, CancellationToken cancellationToken = default)
    {
        ArtifactNames.ValidateRepository(repository);
        ArtifactNames.ValidateTag(tag);
        ArgumentNullException.ThrowIfNull(config);
        var problems = ModelConfigValidator.Problems(config);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"model config for {repository}:{tag} is invalid:\n  " + string.Join("\n  ", problems), nameof(config));
        }

        extraLayers ??= [];
        LayerFileNames.Check(extraLayers.Select(l => l.FileName), Reserved, message => new ArgumentException($"extra layer {message}", nameof(extraLayers)));

        var onnx = await ArtifactPackager.PushLayerAsync(store, repository, onnxPath, OciMediaTypes.OnnxModel, OnnxFileName, cancellationToken);
        if (config.Lineage.OnnxDigest is { } claimed && claimed != onnx.Digest)
        {
            throw new ArgumentException($"lineage.onnxDigest {claimed} is not the digest of {onnxPath} ({onnx.Digest})", nameof(config));
        }

        var layers = new List<BlobDescriptor> { onnx };
        foreach (var extra in extraLayers)
        {
            layers.Add(await ArtifactPackager.PushLayerAsync(store, repository, extra.Path, extra.MediaType, extra.FileName, cancellationToken));
        }

        var normalized = config with
        {
            Metrics = new SortedDictionary<string, double>(config.Metrics.ToDictionary(), StringComparer.Ordinal),
            Lineage = config.Lineage with { OnnxDigest = onnx.Digest },
        };
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(normalized, ArtifactJsonContext.Default.ModelArtifactConfig);
        return await ArtifactPackager.PushManifestAsync(store, repository, tag, OciMediaTypes.ModelArtifact, configBytes, OciMediaTypes.ModelConfig,
            layers, Annotations(normalized), cancellationToken);
    }

    /// <summary>Reads a model's manifest and config without downloading its layers.</summary>
    public static async Task<(string ManifestDigest, OciManifest Manifest, ModelArtifactConfig Config)> ReadModelAsync(this IArtifactStore store,
        string repository, string reference, CancellationToken cancellationToken = default)
    {
        var (content, manifest, configBytes) = await ArtifactPackager.ReadAsync(store, repository, reference, OciMediaTypes.ModelArtifact,
            OciMediaTypes.ModelConfig, cancellationToken);
        var config = ArtifactJsonContext.Deserialize(configBytes, ArtifactJsonContext.Default.ModelArtifactConfig, $"{repository}@{content.Digest}");
        return (content.Digest, manifest, config);
    }

    /// <summary>Downloads a model into <paramref name="outputDirectory"/>: <c>model.onnx</c>, <c>config.json</c>,
    /// <c>manifest.json</c> and the extra layers under their titles. Every layer is verified; the directory appears
    /// only when everything is there (built beside it, then renamed).</summary>
    public static async Task<PulledModel> PullModelAsync(this IArtifactStore store, string repository, string reference, string outputDirectory,
        CancellationToken cancellationToken = default)
    {
        ArtifactNames.ValidateRepository(repository);
        ArtifactNames.ValidateReference(reference);
        var (content, manifest, configBytes) = await ArtifactPackager.ReadAsync(store, repository, reference, OciMediaTypes.ModelArtifact,
            OciMediaTypes.ModelConfig, cancellationToken);
        var where = $"{repository}@{content.Digest} at {store.Location}";
        var config = ArtifactJsonContext.Deserialize(configBytes, ArtifactJsonContext.Default.ModelArtifactConfig, where);
        var onnxLayers = manifest.Layers.Where(l => l.MediaType == OciMediaTypes.OnnxModel).ToList();
        if (onnxLayers.Count != 1)
        {
            throw new ArtifactInvalidException($"{where} has {onnxLayers.Count} ONNX layers; a model artifact has exactly one");
        }

        if (config.Lineage?.OnnxDigest is { } recorded && recorded != onnxLayers[0].Digest)
        {
            throw new ArtifactInvalidException($"{where}: config says the ONNX file is {recorded} but the layer is {onnxLayers[0].Digest}");
        }

        var files = manifest.Layers.Select(l => (Layer: l, FileName: l == onnxLayers[0] ? OnnxFileName : ArtifactPackager.TitleOf(l) ?? string.Empty)).ToList();
        LayerFileNames.Check(files.Where(f => f.Layer != onnxLayers[0]).Select(f => f.FileName), Reserved,
            message => new ArtifactInvalidException($"{where}: layer {message}"));

        using var directory = new AtomicDirectory(outputDirectory);
        await ArtifactPackager.DownloadAsync(store, repository, files, directory.Staging, cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(directory.Staging, ConfigFileName), configBytes, cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(directory.Staging, ManifestFileName), content.Bytes, cancellationToken);
        var final = directory.Commit();
        return new PulledModel(final, content.Digest, config, Path.Combine(final, OnnxFileName),
            files.Where(f => f.Layer != onnxLayers[0]).Select(f => Path.Combine(final, f.FileName)).ToList());
    }

    private static Dictionary<string, string> Annotations(ModelArtifactConfig config)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        ArtifactPackager.Annotate(annotations, OciAnnotations.Title, config.Name);
        ArtifactPackager.Annotate(annotations, OciAnnotations.Version, config.Version);
        ArtifactPackager.Annotate(annotations, OciAnnotations.Description, config.Description);
        ArtifactPackager.Annotate(annotations, OciAnnotations.Revision, config.Lineage.CodeVersion);
        ArtifactPackager.Annotate(annotations, OciAnnotations.Created, config.Created is { } created ? OciAnnotations.FormatCreated(created) : null);
        return annotations;
    }
}

/// <summary>A model written to disk by <see cref="ModelArtifact.PullModelAsync"/>.</summary>
public sealed record PulledModel(string Directory, string ManifestDigest, ModelArtifactConfig Config, string OnnxPath, IReadOnlyList<string> ExtraFiles);
