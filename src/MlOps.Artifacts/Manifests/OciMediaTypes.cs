namespace MlOps.Artifacts.Manifests;

/// <summary>
/// The media types this project reads and writes (see docs/artifacts.md). OCI defines the manifest and index
/// types; the <c>vnd.mlops</c> and <c>vnd.onnx</c> ones are ours, since neither ONNX nor OCI registers one.
/// </summary>
public static class OciMediaTypes
{
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";

    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";

    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    public const string OctetStream = "application/octet-stream";

    /// <summary>Artifact type of a trained model (the manifest's <c>artifactType</c>).</summary>
    public const string ModelArtifact = "application/vnd.mlops.model.v1";

    /// <summary>The model's config blob: <see cref="Models.ModelArtifactConfig"/> as JSON.</summary>
    public const string ModelConfig = "application/vnd.mlops.model.config.v1+json";

    /// <summary>The ONNX model file (a serialized <c>onnx.ModelProto</c>).</summary>
    public const string OnnxModel = "application/vnd.onnx.model";

    /// <summary>A training checkpoint (TorchSharp state dictionary, optimizer state).</summary>
    public const string Checkpoint = "application/vnd.mlops.checkpoint.v1";

    /// <summary>A model version's reference data profile (MlOps.Monitoring <c>ProfileJson</c>): input and prediction
    /// statistics on held-out data at training time, the baseline drift is measured against.</summary>
    public const string Profile = "application/vnd.mlops.profile.v1+json";

    /// <summary>A training log (text, one line per event).</summary>
    public const string TrainingLog = "text/plain";

    /// <summary>Artifact type of a dataset version.</summary>
    public const string DatasetArtifact = "application/vnd.mlops.dataset.v1";

    /// <summary>The dataset's config blob: <see cref="Datasets.DatasetArtifactConfig"/> as JSON.</summary>
    public const string DatasetConfig = "application/vnd.mlops.dataset.config.v1+json";

    /// <summary>One file of a dataset, stored as is.</summary>
    public const string DatasetFile = "application/vnd.mlops.dataset.file.v1";

    /// <summary>The manifest types a registry is asked for on GET (OCI first).</summary>
    public static readonly IReadOnlyList<string> AcceptedManifests = [ImageManifest, ImageIndex, DockerManifest, DockerManifestList];
}
