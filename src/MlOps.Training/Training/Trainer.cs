using MlOps.Contracts;
using MlOps.Core.Datasets;
using MlOps.Core.Digests;
using MlOps.Onnx;
using MlOps.Training.Models;
using MlOps.Training.Native;
using static TorchSharp.torch;

namespace MlOps.Training;

/// <summary>
/// Trains a <see cref="ModelSpec"/> image classifier on an MNIST-format dataset with TorchSharp on the CPU, evaluates
/// it after every epoch, saves the weights and exports them as ONNX. Same request (spec, seed, threads, sample limits)
/// on the same machine gives the same losses, accuracies, weights and ONNX bytes.
/// A spec that ends in softmax is trained on the logits before it (cross-entropy takes logits; argmax, hence accuracy,
/// is the same on either); the exported model includes the softmax.
/// </summary>
public sealed class Trainer(TimeProvider? timeProvider = null)
{
    /// <summary>File name of the saved weights inside <see cref="TrainingRequest.OutputDirectory"/>.</summary>
    public const string WeightsFileName = "model.dat";

    /// <summary>File name of the exported ONNX model inside <see cref="TrainingRequest.OutputDirectory"/>.</summary>
    public const string OnnxFileName = "model.onnx";

    private const int EvalBatchSize = 1000;

    // torch.manual_seed and parameter initialisation share one process-wide generator: seeding and building happen
    // under one lock so trainers running side by side still start from their own seed's weights. (Dropout draws from
    // the same generator while training, so exact reproducibility needs one training per process, as the agent runs it.)
    private static readonly Lock SeedGate = new();

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Runs the whole training. Blocks the calling thread.</summary>
    /// <exception cref="ArgumentException">The request is invalid (every bad field is named) or does not fit the data.</exception>
    /// <exception cref="DatasetException">A dataset file is missing or damaged (the file is named).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; checked between steps.</exception>
    /// <exception cref="TorchSharpLoadException">TorchSharp's native library could not be loaded.</exception>
    /// <exception cref="OnnxExportException">The trained model could not be exported (names the layer or weight).</exception>
    public TrainingResult Train(TrainingRequest request, ITrainingObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        TrainingRequestValidator.EnsureValid(request);
        cancellationToken.ThrowIfCancellationRequested();

        var started = _time.GetTimestamp();
        var loader = TorchSharpLoader.EnsureLoaded();
        observer.OnLog($"TorchSharp native library: {loader.Path} ({loader.LibraryPath ?? "found by TorchSharp"})");

        var data = MnistFormat.Load(request.DatasetPath);
        TrainingRequestValidator.EnsureFitsData(request, data);

        var previousThreads = get_num_threads();
        if (request.Threads > 0)
        {
            set_num_threads(request.Threads);
        }

        try
        {
            using var train = TensorSplit.Create(data.Train, request.Model.InputShape, request.MaxTrainSamples);
            using var test = TensorSplit.Create(data.Test, request.Model.InputShape, request.MaxTestSamples);
            observer.OnLog($"dataset {request.DatasetPath}: {train.Count} training and {test.Count} test samples; torch threads {get_num_threads()}");

            nn.Module<Tensor, Tensor> built;
            lock (SeedGate)
            {
                manual_seed(request.Seed);
                built = ModelBuilder.Build(request.Model, ModelOutput.Logits);
            }

            using var model = built;
            var parameterCount = model.parameters().Sum(p => p.numel());
            observer.OnLog($"model: {request.Model.Layers.Count} layers, {parameterCount} parameters");

            var metrics = new EpochLoop(request, observer, _time, model, train, test).Run(cancellationToken);

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

    private static string SaveWeights(nn.Module model, string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        var path = Path.Combine(outputDirectory, WeightsFileName);
        AtomicFile.Write(path, temp => model.save(temp));
        return path;
    }

    /// <summary>The epochs of one run: shuffle, step, report, evaluate.</summary>
    private sealed class EpochLoop(
        TrainingRequest request, ITrainingObserver observer, TimeProvider time,
        nn.Module<Tensor, Tensor> model, TensorSplit train, TensorSplit test)
    {
        private readonly HyperParameters _hp = request.HyperParameters;

        public Dictionary<string, double> Run(CancellationToken cancellationToken)
        {
            using var optimizer = CreateOptimizer(model, _hp);
            using var lossFunction = nn.CrossEntropyLoss();
            var batch = _hp.BatchSize;
            var stepsPerEpoch = (train.Count + batch - 1) / batch;
            var epochs = _hp.Epochs;
            var last = new Dictionary<string, double>();
            double totalEpochSeconds = 0, totalTrainSeconds = 0;

            for (var epoch = 1; epoch <= epochs; epoch++)
            {
                var epochStart = time.GetTimestamp();
                var learningRate = LearningRates.ForEpoch(_hp, epoch);
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = learningRate;
                }

                model.train();
                using var order = tensor(EpochShuffle.Permutation(request.Seed, epoch, train.Count), ScalarType.Int64);
                double lossSum = 0;
                long correct = 0, seen = 0;
                for (var step = 0; step < stepsPerEpoch; step++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var start = step * batch;
                    var size = Math.Min(batch, train.Count - start);
                    using (NewDisposeScope())
                    {
                        var index = order.narrow(0, start, size);
                        var x = train.Images.index_select(0, index);
                        var y = train.Labels.index_select(0, index);
                        optimizer.zero_grad();
                        var logits = model.forward(x);
                        var loss = lossFunction.forward(logits, y);
                        loss.backward();
                        optimizer.step();
                        lossSum += loss.item<float>() * size;
                        correct += logits.argmax(1).eq(y).sum().item<long>();
                        seen += size;
                    }

                    var every = request.ProgressEverySteps;
                    if (step + 1 == stepsPerEpoch || (every > 0 && (step + 1) % every == 0))
                    {
                        observer.OnProgress(new TrainingProgress
                        {
                            Epoch = epoch,
                            Epochs = epochs,
                            Step = step + 1,
                            StepsPerEpoch = stepsPerEpoch,
                            Loss = lossSum / seen,
                            Accuracy = (double)correct / seen,
                            SamplesPerSecond = seen / Math.Max(time.GetElapsedTime(epochStart).TotalSeconds, 1e-9),
                        });
                    }
                }

                var trainSeconds = time.GetElapsedTime(epochStart).TotalSeconds;
                var (testLoss, testAccuracy) = Evaluate(cancellationToken);
                var epochSeconds = time.GetElapsedTime(epochStart).TotalSeconds;
                totalEpochSeconds += epochSeconds;
                totalTrainSeconds += trainSeconds;

                last = new Dictionary<string, double>
                {
                    [TrainingMetrics.TrainLoss] = lossSum / seen,
                    [TrainingMetrics.TrainAccuracy] = (double)correct / seen,
                    [TrainingMetrics.TestLoss] = testLoss,
                    [TrainingMetrics.TestAccuracy] = testAccuracy,
                    [TrainingMetrics.EpochSeconds] = epochSeconds,
                    [TrainingMetrics.SamplesPerSecond] = seen / Math.Max(trainSeconds, 1e-9),
                    [TrainingMetrics.LearningRate] = learningRate,
                };
                observer.OnEpochMetrics(epoch, last);
            }

            return new Dictionary<string, double>
            {
                [TrainingMetrics.TestAccuracy] = last[TrainingMetrics.TestAccuracy],
                [TrainingMetrics.TestLoss] = last[TrainingMetrics.TestLoss],
                [TrainingMetrics.TrainLoss] = last[TrainingMetrics.TrainLoss],
                [TrainingMetrics.TrainAccuracy] = last[TrainingMetrics.TrainAccuracy],
                [TrainingMetrics.Epochs] = epochs,
                [TrainingMetrics.SecondsPerEpoch] = totalEpochSeconds / epochs,
                [TrainingMetrics.SamplesPerSecond] = (double)train.Count * epochs / Math.Max(totalTrainSeconds, 1e-9),
            };
        }

        private (double Loss, double Accuracy) Evaluate(CancellationToken cancellationToken)
        {
            model.eval();
            double lossSum = 0;
            long correct = 0;
            using var noGrad = no_grad();
            for (var start = 0; start < test.Count; start += EvalBatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var size = Math.Min(EvalBatchSize, test.Count - start);
                using var scope = NewDisposeScope();
                var x = test.Images.narrow(0, start, size);
                var y = test.Labels.narrow(0, start, size);
                var logits = model.forward(x);
                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
                correct += logits.argmax(1).eq(y).sum().item<long>();
            }

            return (lossSum / test.Count, (double)correct / test.Count);
        }

        private static optim.Optimizer CreateOptimizer(nn.Module model, HyperParameters hp) => hp.Optimizer switch
        {
            Optimizer.Sgd => optim.SGD(model.parameters(), hp.LearningRate, momentum: hp.Momentum, weight_decay: hp.WeightDecay),
            Optimizer.Adam => optim.Adam(model.parameters(), hp.LearningRate, weight_decay: hp.WeightDecay),
            _ => throw new ArgumentException($"hyper_parameters.optimizer: {hp.Optimizer} is not supported; use sgd or adam", nameof(hp)),
        };
    }
}
