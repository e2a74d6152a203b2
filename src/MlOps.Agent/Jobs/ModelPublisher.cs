using System.Reflection;
using MlOps.Artifacts;
using MlOps.Artifacts.Models;
using MlOps.Artifacts.Packaging;
using MlOps.Contracts;

namespace MlOps.Agent.Jobs;

/// <summary>
/// Pushes a finished attempt's model as an OCI artifact: the ONNX file, the TorchSharp weights (checkpoint layer),
/// the training log and the reference data profile (when the child wrote one) as layers; signature, metrics and lineage in the config. The coordinator registers the
/// version from this artifact, so what it records is exactly what can be pulled.
/// </summary>
internal sealed class ModelPublisher(IArtifactStore store)
{
    /// <summary>Pushes the model and fills the result's model fields. <paramref name="outputDirectory"/> holds
    /// <c>model.onnx</c>; <paramref name="weightsPath"/> and <paramref name="logPath"/> become extra layers.</summary>
    public async Task PublishAsync(JobAssignment assignment, JobResult result, string outputDirectory, string weightsPath, string? logPath,
        CancellationToken cancellationToken)
    {
        var onnxPath = Path.Combine(outputDirectory, ModelArtifact.OnnxFileName);
        var spec = assignment.Spec;
        var inputShape = new List<long> { -1 };
        inputShape.AddRange(spec.Model.InputShape);
        var outputShape = new List<long> { -1 };
        outputShape.AddRange(MlOps.Core.Jobs.ModelShapes.OutputShape(spec.Model) ?? []);

        var config = new ModelArtifactConfig(
            new ModelSignature([new TensorSignature("input", "float32", inputShape)], [new TensorSignature("output", "float32", outputShape)]),
            result.Metrics.Where(m => !MlOps.Core.Jobs.MetricNames.IsTiming(m.Key)).ToDictionary(m => m.Key, m => m.Value),
            new ModelLineage
            {
                DatasetName = NullIfEmpty(assignment.DatasetName) ?? spec.Dataset.Name,
                DatasetVersion = NullIfEmpty(assignment.DatasetVersion),
                DatasetDigest = NullIfEmpty(assignment.DatasetDigest),
                JobId = assignment.JobId,
                JobSpecDigest = NullIfEmpty(assignment.JobSpecDigest),
                Seed = spec.Seed,
                CodeVersion = CodeVersion,
                TorchSharpVersion = Metadata("TorchSharpVersion"),
                OnnxRuntimeVersion = Metadata("OnnxRuntimeVersion"),
                OnnxDigest = NullIfEmpty(result.OnnxDigest),
                Opset = (int)MlOps.Onnx.OnnxFormat.Opset,
                IrVersion = (int)MlOps.Onnx.OnnxFormat.IrVersion,
            })
        {
            Name = spec.Name,
            Description = $"trained by job {assignment.JobId} (attempt {assignment.Attempt})",
        };

        List<ArtifactLayer> extra = [ArtifactLayer.Checkpoint(weightsPath, "model.dat")];
        if (logPath is not null && File.Exists(logPath))
        {
            extra.Add(ArtifactLayer.TrainingLog(logPath, "train.log"));
        }

        // Written by the training child when it could profile the test set; serving agents build live profiles over it.
        var profilePath = Path.Combine(outputDirectory, MlOps.Serving.Monitoring.LiveProfiler.FileName);
        if (File.Exists(profilePath))
        {
            extra.Add(ArtifactLayer.Profile(profilePath, MlOps.Serving.Monitoring.LiveProfiler.FileName));
        }

        var digest = await store.PushModelAsync(assignment.ModelRepository, $"job-{assignment.JobId}", config, onnxPath, extra, cancellationToken);
        result.ModelRepository = assignment.ModelRepository;
        result.ModelManifestDigest = digest;
    }

    /// <summary>The build's informational version: "version+git commit" when built from a checkout.</summary>
    public static string CodeVersion { get; } =
        typeof(ModelPublisher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static string? Metadata(string key) =>
        typeof(ModelPublisher).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;
}
