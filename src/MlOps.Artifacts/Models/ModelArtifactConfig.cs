using System.Text.Json.Serialization;

namespace MlOps.Artifacts.Models;

/// <summary>
/// The config blob of a model artifact (<c>application/vnd.mlops.model.config.v1+json</c>): what the model takes and
/// returns, how good it is, and where it came from. Serialized with camelCase names and nulls left out; metrics
/// are written in ordinal key order so the same model always gives the same bytes.
/// </summary>
public sealed record ModelArtifactConfig(ModelSignature Signature, IReadOnlyDictionary<string, double> Metrics, ModelLineage Lineage)
{
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyOrder(-1)]
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Model name (manifest annotation <c>org.opencontainers.image.title</c>).</summary>
    public string? Name { get; init; }

    /// <summary>Model version (annotation <c>org.opencontainers.image.version</c>).</summary>
    public string? Version { get; init; }

    /// <summary>Annotation <c>org.opencontainers.image.description</c>.</summary>
    public string? Description { get; init; }

    /// <summary>When training finished (annotation <c>org.opencontainers.image.created</c>). Left out when null, so
    /// the digest depends only on content.</summary>
    public DateTimeOffset? Created { get; init; }
}

/// <summary>The model's inputs and outputs as ONNX declares them.</summary>
public sealed record ModelSignature(IReadOnlyList<TensorSignature> Inputs, IReadOnlyList<TensorSignature> Outputs);

/// <summary>One named tensor: element type (ONNX names in lowercase: <c>float32</c>, <c>int64</c>, ...) and shape,
/// with -1 for a dynamic dimension such as the batch.</summary>
public sealed record TensorSignature(string Name, string DataType, IReadOnlyList<long> Shape);

/// <summary>Where a model came from: enough to reproduce it or to explain it.</summary>
public sealed record ModelLineage
{
    public string? DatasetName { get; init; }

    public string? DatasetVersion { get; init; }

    /// <summary>The dataset artifact's manifest digest (its version digest).</summary>
    public string? DatasetDigest { get; init; }

    public string? JobId { get; init; }

    /// <summary>sha256 of the job spec as submitted.</summary>
    public string? JobSpecDigest { get; init; }

    public long? Seed { get; init; }

    /// <summary>Source revision of the trainer (annotation <c>org.opencontainers.image.revision</c>).</summary>
    public string? CodeVersion { get; init; }

    public string? TorchSharpVersion { get; init; }

    public string? OnnxRuntimeVersion { get; init; }

    /// <summary>Digest of the ONNX layer; filled in on push and checked on pull.</summary>
    public string? OnnxDigest { get; init; }

    /// <summary>ONNX opset the model was exported with.</summary>
    public int? Opset { get; init; }

    /// <summary>ONNX IR version of the file.</summary>
    public int? IrVersion { get; init; }
}
