namespace MlOps.Training;

/// <summary>What a finished run produced.</summary>
/// <param name="Metrics">Final metrics; keys are listed in <see cref="TrainingMetrics"/>.</param>
/// <param name="WeightsPath">The saved weights (TorchSharp <c>module.save</c> format), <c>OutputDirectory/model.dat</c>.</param>
/// <param name="WeightsDigest">SHA-256 of the weights file, <c>sha256:&lt;hex&gt;</c>.</param>
/// <param name="WeightsBytes">Size of the weights file.</param>
/// <param name="TrainSeconds">Wall time of the whole run: loading data, training, evaluating, saving, exporting.</param>
/// <param name="OnnxPath">The exported ONNX model (IR 8, opset 17, dynamic batch), <c>OutputDirectory/model.onnx</c>.</param>
/// <param name="OnnxDigest">SHA-256 of the ONNX file, <c>sha256:&lt;hex&gt;</c>.</param>
/// <param name="OnnxBytes">Size of the ONNX file.</param>
/// <param name="ExportSeconds">Wall time of the export: reading the weights, building and writing the file.</param>
public sealed record TrainingResult(
    IReadOnlyDictionary<string, double> Metrics,
    string WeightsPath,
    string WeightsDigest,
    long WeightsBytes,
    double TrainSeconds,
    string OnnxPath,
    string OnnxDigest,
    long OnnxBytes,
    double ExportSeconds);
