using System.Globalization;
using MlOps.Core.Digests;
using MlOps.Onnx;
using MlOps.Training.Models;
using static TorchSharp.torch;

namespace MlOps.Training;

/// <summary>Writes the trained model as <c>model.onnx</c> beside <c>model.dat</c>, with lineage metadata.</summary>
internal static class ModelExport
{
    /// <summary>Metadata keys the trainer writes (besides the exporter's own).</summary>
    public static IReadOnlyList<string> TrainerKeys { get; } =
        [OnnxMetadataKeys.WeightsDigest, OnnxMetadataKeys.InputMean, OnnxMetadataKeys.InputStd];

    /// <summary>Exports <paramref name="model"/> (put in eval mode here) and returns the file's path.</summary>
    public static string Write(nn.Module model, TrainingRequest request, string weightsDigest)
    {
        model.eval();
        var weights = ModelWeights.Extract(model);
        var metadata = new Dictionary<string, string>(request.ModelMetadata, StringComparer.Ordinal)
        {
            [OnnxMetadataKeys.WeightsDigest] = weightsDigest,
            [OnnxMetadataKeys.InputMean] = ImageNormalization.Mean.ToString("R", CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.InputStd] = ImageNormalization.Std.ToString("R", CultureInfo.InvariantCulture),
        };
        var bytes = OnnxExporter.Export(request.Model, weights, new OnnxExportOptions
        {
            ModelName = request.ModelName,
            ModelVersion = request.ModelVersion,
            Metadata = metadata,
        });

        var path = Path.Combine(request.OutputDirectory, Trainer.OnnxFileName);
        AtomicFile.Write(path, temp => File.WriteAllBytes(temp, bytes));
        return path;
    }

    /// <summary>SHA-256 and size of a written file.</summary>
    public static (string Digest, long Bytes) Describe(string path) => (Sha256Digest.OfFile(path), new FileInfo(path).Length);
}
