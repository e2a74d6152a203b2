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

    /// <summary>GPUs the run was given (the job's <c>resources.gpus</c>, visible as <c>cuda:0..N-1</c>): 0 (default) trains
    /// on the CPU; 1 or more on <c>cuda:0</c>, failing with <see cref="Devices.CudaUnavailableException"/> where CUDA is
    /// not available. Not part of the run's fingerprint: a checkpoint written on one device resumes on the other.</summary>
    public int Gpus { get; init; }

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

    /// <summary>Write a checkpoint after every N training steps (counted over the whole run); 0 (default) turns
    /// step-driven checkpoints off.</summary>
    public int CheckpointEverySteps { get; init; }

    /// <summary>Write a checkpoint at the first step boundary once this much time has passed since the last one (or
    /// since training started), measured with the trainer's <see cref="TimeProvider"/>; null (default) turns
    /// time-driven checkpoints off.</summary>
    public TimeSpan? CheckpointEvery { get; init; }

    /// <summary>Where checkpoints are written; null (default) uses <c>OutputDirectory/checkpoints</c>. Only the newest
    /// checkpoint file is kept there.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>A checkpoint file to continue from; null (default) starts afresh. The checkpoint must come from a run
    /// with the same model, hyper-parameters, seed and sample counts.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Name of the folder under <see cref="OutputDirectory"/> used when <see cref="CheckpointDirectory"/> is null.</summary>
    public const string DefaultCheckpointFolder = "checkpoints";

    /// <summary><see cref="CheckpointDirectory"/>, or its default under <see cref="OutputDirectory"/>.</summary>
    internal string CheckpointDirectoryOrDefault() => CheckpointDirectory ?? Path.Combine(OutputDirectory, DefaultCheckpointFolder);
}
