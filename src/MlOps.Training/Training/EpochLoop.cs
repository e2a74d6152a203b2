using MlOps.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace MlOps.Training;

/// <summary>The epochs of one run: shuffle, step, report, checkpoint, evaluate; optionally from a checkpoint on.</summary>
internal sealed class EpochLoop(
    TrainingRequest request, ITrainingObserver observer, TimeProvider time,
    nn.Module<Tensor, Tensor> model, TensorSplit train, TensorSplit test,
    SortedDictionary<string, string> fingerprint, Checkpointer checkpoints, CheckpointContents? resume)
{
    private const int EvalBatchSize = 1000;

    private readonly HyperParameters _hp = request.HyperParameters;

    public Dictionary<string, double> Run(CancellationToken cancellationToken, CancellationToken checkpointAndStop)
    {
        using var optimizer = CreateOptimizer(model, _hp);
        using var lossFunction = nn.CrossEntropyLoss();
        var batch = _hp.BatchSize;
        var stepsPerEpoch = (train.Count + batch - 1) / batch;
        var epochs = _hp.Epochs;
        var last = new Dictionary<string, double>();
        var finished = new List<EpochRecord>();
        double totalEpochSeconds = 0, totalTrainSeconds = 0;
        var firstEpoch = 1;
        var carried = new EpochProgressRecord(0, 0, 0, 0);

        if (resume is { Header: var saved })
        {
            if (saved.StepsPerEpoch != stepsPerEpoch || saved.Epoch < 1 || saved.Epoch > epochs || saved.Step < 1 || saved.Step > stepsPerEpoch
                || saved.GlobalStep != (long)(saved.Epoch - 1) * stepsPerEpoch + saved.Step || saved.Epochs.Count != saved.Epoch - 1)
            {
                throw new CheckpointException(resume.Path,
                    $"its position (epoch {saved.Epoch}, step {saved.Step} of {saved.StepsPerEpoch}, {saved.Epochs.Count} finished epochs) " +
                    $"does not fit this run ({epochs} epochs of {stepsPerEpoch} steps)");
            }

            CheckpointState.RestoreOptimizer(optimizer, resume.OptimizerState, resume.Path);
            CheckpointState.RestoreRng(resume.RngState, resume.Path);
            firstEpoch = saved.Epoch;
            carried = saved.Current;
            finished.AddRange(saved.Epochs);
            totalEpochSeconds = saved.FinishedEpochSeconds;
            totalTrainSeconds = saved.FinishedTrainSeconds;
            observer.OnLog(
                $"resumed from checkpoint {resume.Path} (written {saved.CreatedAt:O}) at epoch {saved.Epoch}, step {saved.Step} of {stepsPerEpoch} " +
                $"(global step {saved.GlobalStep})");
        }

        for (var epoch = firstEpoch; epoch <= epochs; epoch++)
        {
            var epochStart = time.GetTimestamp();
            var (firstStep, lossSum, correct, seen, earlierSeconds) = epoch == firstEpoch && resume is not null
                ? (resume.Header.Step, carried.LossSum, carried.Correct, carried.Seen, carried.TrainSeconds)
                : (0, 0d, 0L, 0L, 0d);
            var learningRate = LearningRates.ForEpoch(_hp, epoch);
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = learningRate;
            }

            model.train();

            // The order depends on (seed, epoch) only, so a resumed epoch skips exactly the batches already done.
            using var permutation = tensor(EpochShuffle.Permutation(request.Seed, epoch, train.Count), ScalarType.Int64);
            using var moved = train.Images.device_type == DeviceType.CPU ? null : permutation.to(train.Images.device);
            var order = moved ?? permutation;
            for (var step = firstStep; step < stepsPerEpoch; step++)
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
                        SamplesPerSecond = seen / Math.Max(earlierSeconds + time.GetElapsedTime(epochStart).TotalSeconds, 1e-9),
                    });
                }

                var globalStep = (long)(epoch - 1) * stepsPerEpoch + step + 1;
                var stop = checkpointAndStop.IsCancellationRequested;
                if (stop || checkpoints.IsDue(globalStep))
                {
                    var header = new CheckpointHeader
                    {
                        Epoch = epoch,
                        Step = step + 1,
                        GlobalStep = globalStep,
                        StepsPerEpoch = stepsPerEpoch,
                        Seed = request.Seed,
                        Fingerprint = RunFingerprint.Digest(fingerprint),
                        Run = fingerprint,
                        Epochs = finished,
                        Current = new EpochProgressRecord(lossSum, correct, seen, earlierSeconds + time.GetElapsedTime(epochStart).TotalSeconds),
                        FinishedEpochSeconds = totalEpochSeconds,
                        FinishedTrainSeconds = totalTrainSeconds,
                        CreatedAt = time.GetUtcNow(),
                    };
                    var info = checkpoints.Write(header, model, optimizer);
                    if (stop)
                    {
                        throw new TrainingPreemptedException(info);
                    }
                }
            }

            var trainSeconds = earlierSeconds + time.GetElapsedTime(epochStart).TotalSeconds;
            var (testLoss, testAccuracy) = Evaluate(cancellationToken);
            var epochSeconds = earlierSeconds + time.GetElapsedTime(epochStart).TotalSeconds;
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
            finished.Add(new EpochRecord(epoch, new Dictionary<string, double>(last)));
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
