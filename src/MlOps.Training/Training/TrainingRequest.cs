using MlOps.Contracts;

namespace MlOps.Training;

/// <summary>One training run: what to build, how to train it, on which data, and where the weights go.</summary>
/// <param name="Model">The model to build (see <see cref="Models.ModelBuilder"/>).</param>
/// <param name="HyperParameters">Optimizer, learning rate, batch size, epochs, momentum (SGD), weight decay.</param>
/// <param name="Seed">Seeds torch (initial weights, dropout) and the per-epoch shuffle.</param>
/// <param name="DatasetPath">Directory holding the four MNIST-format IDX files.</param>
/// <param name="OutputDirectory">Where <c>model.dat</c> and <c>model.onnx</c> are written; created when missing.</param>
public sealed record TrainingRequest(
    ModelSpec Model, HyperParameters HyperParameters, long Seed, string DatasetPath, string OutputDirectory)
{
    /// <summary>Intra-op threads for torch; 0 (default) keeps torch's default. Process-wide while training runs.</summary>
    public int Threads { get; init; }

    /// <summary>Train on the first N training samples only; null (default) uses all.</summary>
    public int? MaxTrainSamples { get; init; }

    /// <summary>Evaluate on the first N test samples only; null (default) uses all.</summary>
    public int? MaxTestSamples { get; init; }

    /// <summary>Report progress every N steps (and always at the end of an epoch); 0 reports at epoch ends only.</summary>
    public int ProgressEverySteps { get; init; } = 50;

    /// <summary>Name written into the exported ONNX model (graph name and metadata); default <c>"model"</c>.
    /// The agent passes the job's name.</summary>
    public string ModelName { get; init; } = "model";

    /// <summary>Version written into the exported ONNX model; default 1.</summary>
    public long ModelVersion { get; init; } = 1;

    /// <summary>
    /// Extra ONNX <c>metadata_props</c>, e.g. <c>mlops.dataset_sha256</c> or a job id. May not set the keys the
    /// exporter or the trainer write themselves (name, version, spec and weights digests, input normalisation).
    /// </summary>
    public IReadOnlyDictionary<string, string> ModelMetadata { get; init; } = new Dictionary<string, string>();
}
