namespace MlOps.Onnx;

/// <summary>Keys of the <c>metadata_props</c> entries this project writes into exported models.</summary>
public static class OnnxMetadataKeys
{
    /// <summary>Written by the exporter: <see cref="OnnxExportOptions.ModelName"/>.</summary>
    public const string ModelName = "mlops.model_name";

    /// <summary>Written by the exporter: <see cref="OnnxExportOptions.ModelVersion"/>, as a decimal string.</summary>
    public const string ModelVersion = "mlops.model_version";

    /// <summary>Written by the exporter: SHA-256 (<c>sha256:&lt;hex&gt;</c>) of the serialized <c>ModelSpec</c>.</summary>
    public const string SpecDigest = "mlops.spec_sha256";

    /// <summary>Written by the exporter: <c>probabilities</c> when the spec ends in softmax, else <c>logits</c>
    /// (the last layer's raw output).</summary>
    public const string Output = "mlops.output";

    /// <summary>Written by the trainer: SHA-256 of the TorchSharp weights file (<c>model.dat</c>) exported.</summary>
    public const string WeightsDigest = "mlops.weights_sha256";

    /// <summary>Lineage a caller may add: SHA-256 of the dataset files trained on.</summary>
    public const string DatasetDigest = "mlops.dataset_sha256";

    /// <summary>Written by the trainer: pixels are fed as <c>(byte / 255 - mean) / std</c> with these two values.</summary>
    public const string InputMean = "mlops.input_mean";

    /// <inheritdoc cref="InputMean"/>
    public const string InputStd = "mlops.input_std";

    /// <summary>Output values of <see cref="Output"/>.</summary>
    public const string Probabilities = "probabilities";

    /// <inheritdoc cref="Probabilities"/>
    public const string Logits = "logits";

    /// <summary>The keys the exporter owns; <see cref="OnnxExportOptions.Metadata"/> may not set them.</summary>
    public static IReadOnlyList<string> Reserved { get; } = [ModelName, ModelVersion, SpecDigest, Output];
}
