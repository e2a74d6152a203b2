using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using MlOps.Contracts;
using MlOps.Core.Datasets;
using MlOps.Core.Jobs;
using MlOps.Training;

namespace MlOps.ExportBench;

/// <summary>
/// Trains an example job on the full dataset through <see cref="Trainer"/> (as the agent would) and then scores the
/// exported <c>model.onnx</c> on the test split with ONNX Runtime, so the accuracy of the served model is measured too.
/// </summary>
internal static class ExampleTraining
{
    public static int Run(BenchOptions options)
    {
        if (options.Example is null)
        {
            return BenchOptions.Usage();
        }

        var job = JobSpecYaml.LoadFile(options.Example);
        var hp = job.HyperParameters.Clone();
        hp.Epochs = options.Epochs ?? hp.Epochs;
        var dataset = DatasetCatalog.Defaults[job.Dataset.Name].Path;
        var output = options.Output ?? Path.Combine(Path.GetTempPath(), $"mlops-train-{job.Name}");
        var request = new TrainingRequest(job.Model, hp, job.Seed, dataset, output) { Threads = options.Threads, ModelName = job.Name, ProgressEverySteps = 0 };
        Console.WriteLine($"training {job.Name} ({options.Example}): {hp.Epochs} epochs, batch {hp.BatchSize}, {options.Threads} threads, dataset {dataset}");

        var result = new Trainer().Train(request, new ConsoleObserver(), CancellationToken.None);
        var m = result.Metrics;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"final: test_accuracy {m[TrainingMetrics.TestAccuracy]:F4}, test_loss {m[TrainingMetrics.TestLoss]:F4}, " +
            $"{m[TrainingMetrics.SecondsPerEpoch]:F1} s/epoch, {m[TrainingMetrics.SamplesPerSecond]:F0} samples/s, whole run {result.TrainSeconds:F1} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"onnx: {result.OnnxPath} {result.OnnxBytes} bytes {result.OnnxDigest}, export {result.ExportSeconds * 1000:F1} ms"));

        var onnxAccuracy = ScoreOnnx(result.OnnxPath, MnistFormat.Load(dataset).Test);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"onnx runtime test accuracy {onnxAccuracy:F4} (trainer: {m[TrainingMetrics.TestAccuracy]:F4})"));
        return 0;
    }

    private static double ScoreOnnx(string path, ImageSplit test)
    {
        using var session = new InferenceSession(path);
        var pixels = test.PixelsPerImage;
        var correct = 0;
        const int Batch = 500;
        for (var start = 0; start < test.Count; start += Batch)
        {
            var count = Math.Min(Batch, test.Count - start);
            var input = new float[count * pixels];
            for (var i = 0; i < input.Length; i++)
            {
                input[i] = ((test.Pixels[(start * pixels) + i] / 255f) - ImageNormalization.Mean) / ImageNormalization.Std;
            }

            using var value = OrtValue.CreateTensorValueFromMemory(input, [count, 1, test.Height, test.Width]);
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, ["input"], [value], ["output"]);
            var scores = results[0].GetTensorDataAsSpan<float>();
            var classes = scores.Length / count;
            for (var i = 0; i < count; i++)
            {
                var row = scores.Slice(i * classes, classes);
                var best = 0;
                for (var c = 1; c < classes; c++)
                {
                    best = row[c] > row[best] ? c : best;
                }

                correct += best == test.Labels[start + i] ? 1 : 0;
            }
        }

        return (double)correct / test.Count;
    }

    private sealed class ConsoleObserver : ITrainingObserver
    {
        public void OnProgress(TrainingProgress progress)
        {
        }

        public void OnEpochMetrics(int epoch, IReadOnlyDictionary<string, double> metrics) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch}: train_loss {metrics[TrainingMetrics.TrainLoss]:F4} train_acc {metrics[TrainingMetrics.TrainAccuracy]:F4} " +
                $"test_loss {metrics[TrainingMetrics.TestLoss]:F4} test_acc {metrics[TrainingMetrics.TestAccuracy]:F4} " +
                $"lr {metrics[TrainingMetrics.LearningRate]:G3} {metrics[TrainingMetrics.EpochSeconds]:F1} s"));

        public void OnLog(string message) => Console.WriteLine(message);
    }
}
