using MlOps.Contracts;

namespace MlOps.Agent.Tests.Jobs;

/// <summary>Assignments of a small MLP on the tiny dataset, for tests that run the real training child.</summary>
internal static class TinyAssignments
{
    public static JobAssignment Mlp(string jobId, string datasetPath, int epochs, int hidden = 32, int attempt = 1) => new()
    {
        JobId = jobId,
        Attempt = attempt,
        DatasetPath = datasetPath,
        DatasetDigest = "sha256:" + new string('0', 64),
        Spec = new JobSpec
        {
            Name = "tiny",
            Dataset = new DatasetRef { Name = "tiny" },
            Seed = 1,
            Model = new ModelSpec
            {
                InputShape = { 1, 28, 28 },
                Layers =
                {
                    new Layer { Flatten = new FlattenLayer() },
                    new Layer { Linear = new LinearLayer { OutFeatures = hidden } },
                    new Layer { Activation = new ActivationLayer { Kind = Activation.Relu } },
                    new Layer { Linear = new LinearLayer { OutFeatures = 10 } },
                },
            },
            HyperParameters = new HyperParameters { Optimizer = Optimizer.Adam, LearningRate = 0.005, BatchSize = 32, Epochs = epochs },
            Resources = new Resources { CpuCores = 1 },
        },
    };

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds; fails the test after <paramref name="patience"/>.</summary>
    public static async Task WaitForAsync(Func<bool> condition, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50);
        }
    }
}
