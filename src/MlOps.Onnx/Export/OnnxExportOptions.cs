namespace MlOps.Onnx;

/// <summary>How an exported model is named and labelled. Validated by <see cref="OnnxExporter"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Model name: the graph's name and metadata <see cref="OnnxMetadataKeys.ModelName"/>. Required.</summary>
    public required string ModelName { get; init; }

    /// <summary><c>ModelProto.model_version</c> and metadata <see cref="OnnxMetadataKeys.ModelVersion"/>; default 1, at least 0.</summary>
    public long ModelVersion { get; init; } = 1;

    /// <summary>Name of the graph input, shaped <c>["batch", ..input_shape]</c>; default <c>"input"</c>.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>
    /// Name of the graph output, shaped <c>["batch", ..output_shape]</c>; default <c>"output"</c>, whether the model
    /// ends in a softmax or not, so a server never has to guess. Metadata <see cref="OnnxMetadataKeys.Output"/> says
    /// which it is (<c>probabilities</c> or <c>logits</c>).
    /// </summary>
    public string OutputName { get; init; } = "output";

    /// <summary>
    /// Extra <c>metadata_props</c> (lineage digests, job id, input normalisation, ...). Keys the exporter writes
    /// itself (<see cref="OnnxMetadataKeys.Reserved"/>) are refused. Written sorted by key (ordinal).
    /// </summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
