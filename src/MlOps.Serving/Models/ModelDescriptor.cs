using System.Collections.ObjectModel;

namespace MlOps.Serving.Models;

/// <summary>A declared input or output: name, Open Inference Protocol datatype, shape with -1 for dynamic dimensions.</summary>
public sealed record TensorSpec(string Name, string DataType, long[] Shape);

/// <summary>What a loaded model version is, for metadata, config and validation.</summary>
public sealed record ModelDescriptor(string Name, string Version, IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs)
{
    /// <summary>Platform string reported in metadata and config.</summary>
    public string Platform { get; init; } = "onnxruntime_onnx";

    /// <summary>Largest batch the version accepts in one request (the batcher's maximum); 0 means no batching.</summary>
    public int MaxBatchSize { get; init; }

    /// <summary>
    /// String parameters clients read from the model config (<c>parameters[key].string_value</c>): for an ONNX model
    /// its <c>metadata_props</c>, e.g. <c>mlops.input_mean</c> and <c>mlops.input_std</c> (how to normalise inputs).
    /// Empty by default.
    /// </summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = ReadOnlyDictionary<string, string>.Empty;
}
