using MlOps.Contracts;
using MlOps.Core.Datasets;
using MlOps.Core.Digests;
using MlOps.Onnx;
using MlOps.Training.Devices;
using MlOps.Training.Models;
using MlOps.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MlOps.Training;

/// <summary>
/// Trains a <see cref="ModelSpec"/> image classifier on an MNIST-format dataset with TorchSharp on the CPU or, when the
/// request has GPUs, on <c>cuda:0</c>; evaluates it after every epoch, saves the weights and exports them as ONNX. Same
/// request (spec, seed, threads, sample limits) on the same machine's CPU gives the same losses, accuracies, weights and
/// ONNX bytes; on CUDA runs agree closely but not bitwise (cuDNN and reductions vary their order).
/// A spec that ends in softmax is trained on the logits before it (cross-entropy takes logits; argmax, hence accuracy,
/// is the same on either); the exported model includes the softmax.
/// </summary>
public sealed class Trainer(TimeProvider? timeProvider = null)
{
    /// <summary>File name of the saved weights inside <see cref="TrainingRequest.OutputDirectory"/>.</summary>
    public const string WeightsFileName = "model.dat";

    /// <summary>File name of the exported ONNX model inside <see cref="TrainingRequest.OutputDirectory"/>.</summary>
    public const string OnnxFileName = "model.onnx";

    // torch.manual_seed and parameter initialisation share one process-wide generator: seeding and building happen
    // under one lock so trainers running side by side still start from their own seed's weights. (Dropout draws from
    // the same generator while training, so exact reproducibility needs one training per process, as the agent runs it.)
    private static readonly Lock SeedGate = new();

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>
    /// Runs the whole training, or the rest of it when <see cref="TrainingRequest.ResumeFrom"/> names a checkpoint.
    /// Blocks the calling thread. Writes checkpoints as <see cref="TrainingRequest.CheckpointEverySteps"/> and
    /// <see cref="TrainingRequest.CheckpointEvery"/> ask, each reported to <see cref="ITrainingObserver.OnCheckpoint"/>.
    /// </summary>
    /// <param name="request">What to train.</param>
    /// <param name="observer">Receives progress, metrics, checkpoints and log lines.</param>
    /// <param name="cancellationToken">Stops at the next step, leaving nothing behind.</param>
    /// <param name="checkpointAndStop">Preemption: at the next step boundary a checkpoint is written and
    /// <see cref="TrainingPreemptedException"/> thrown.</param>
    /// <exception cref="ArgumentException">The request is invalid (every bad field is named) or does not fit the data.</exception>
    /// <exception cref="DatasetException">A dataset file is missing or damaged (the file is named).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; checked between steps.</exception>
    /// <exception cref="TrainingPreemptedException"><paramref name="checkpointAndStop"/> fired; carries the checkpoint.</exception>
    /// <exception cref="CheckpointException">The checkpoint to resume from is damaged or belongs to another run.</exception>
    /// <exception cref="TorchSharpLoadException">TorchSharp's native library could not be loaded.</exception>
    /// <exception cref="CudaUnavailableException">The request has GPUs and CUDA is not available.</exception>
    /// <exception cref="OnnxExportException">The trained model could not be exported (names the layer or weight).</exception>
    public TrainingResult Train(
        TrainingRequest request, ITrainingObserver observer, CancellationToken cancellationToken, CancellationToken checkpointAndStop = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        TrainingRequestValidator.EnsureValid(request);
        cancellationToken.ThrowIfCancellationRequested();

        var started = _time.GetTimestamp();
        var loader = TorchSharpLoader.EnsureLoaded();
        observer.OnLog($"TorchSharp native library: {loader.Path} ({loader.LibraryPath ?? "found by TorchSharp"}); libtorch {loader.LibTorchDirectory ?? "as packaged"}");
        var device = TrainingDevices.Select(request.Gpus, observer);

        var data = MnistFormat.Load(request.DatasetPath);
        TrainingRequestValidator.EnsureFitsData(request, data);

        var previousThreads = get_num_threads();
        if (request.Threads > 0)
        {
            set_num_threads(request.Threads);
        }

        try
        {
            using var train = TensorSplit.Create(data.Train, request.Model.InputShape, request.MaxTrainSamples, device);
            using var test = TensorSplit.Create(data.Test, request.Model.InputShape, request.MaxTestSamples, device);
            observer.OnLog($"dataset {request.DatasetPath}: {train.Count} training and {test.Count} test samples; torch threads {get_num_threads()}");
            var resume = request.ResumeFrom is { } from ? ReadCheckpoint(from, request, train.Count, test.Count) : null;

            nn.Module<Tensor, Tensor> built;
            lock (SeedGate)
            {
                TrainingDevices.Seed(request.Seed, device);
                built = ModelBuilder.Build(request.Model, ModelOutput.Logits);
            }

            // Built (hence initialised) on the CPU, then moved: the same seed gives the same initial weights on either device.
            using var model = built.to(device);
            var parameterCount = model.parameters().Sum(p => p.numel());
            observer.OnLog($"model: {request.Model.Layers.Count} layers, {parameterCount} parameters");
            if (resume is not null)
            {
                CheckpointState.RestoreModel(model, resume.ModelState, resume.Path);
            }

            var fingerprint = RunFingerprint.Fields(request, train.Count, test.Count);
            var checkpoints = new Checkpointer(request, observer, _time);
            var metrics = new EpochLoop(request, observer, _time, model, train, test, fingerprint, checkpoints, resume)
                .Run(cancellationToken, checkpointAndStop);
            if (device.type != DeviceType.CPU)
            {
                // Saving and export read the weights on the CPU.
                model.to(CPU);
            }

            var weights = SaveWeights(model, request.OutputDirectory);
            var digest = Sha256Digest.OfFile(weights);
            var bytes = new FileInfo(weights).Length;
            observer.OnLog($"weights saved to {weights} ({bytes} bytes, {digest})");

            var exportStarted = _time.GetTimestamp();
            var onnx = ModelExport.Write(model, request, digest);
            var (onnxDigest, onnxBytes) = ModelExport.Describe(onnx);
            var exportSeconds = _time.GetElapsedTime(exportStarted).TotalSeconds;
            observer.OnLog($"ONNX model exported to {onnx} ({onnxBytes} bytes, {onnxDigest}) in {exportSeconds:F3} s");
            return new TrainingResult(
                metrics, weights, digest, bytes, _time.GetElapsedTime(started).TotalSeconds, onnx, onnxDigest, onnxBytes, exportSeconds);
        }
        finally
        {
            if (request.Threads > 0)
            {
                set_num_threads(previousThreads);
            }
        }
    }

    /// <summary>Reads, verifies and matches a checkpoint against this run before any model is built.</summary>
    private static CheckpointContents ReadCheckpoint(string path, TrainingRequest request, int trainCount, int testCount)
    {
        var contents = CheckpointFile.Read(path);
        var differences = RunFingerprint.Differences(contents.Header.Run, RunFingerprint.Fields(request, trainCount, testCount));
        if (differences.Count > 0)
        {
            throw new CheckpointException(path, $"belongs to another run; these differ: {string.Join("; ", differences)}");
        }

        return contents;
    }

    private static string SaveWeights(nn.Module model, string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        var path = Path.Combine(outputDirectory, WeightsFileName);
        AtomicFile.Write(path, temp => model.save(temp));
        return path;
    }
}
