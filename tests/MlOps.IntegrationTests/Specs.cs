using MlOps.Contracts;

namespace MlOps.IntegrationTests;

/// <summary>Job specs for the tiny dataset.</summary>
public static class Specs
{
    public static JobSpec TinyMlp(string name, int epochs = 3, int hidden = 64) => new()
    {
        Name = name,
        Owner = "tester",
        Dataset = new DatasetRef { Name = "tiny" },
        Seed = 3,
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
    };
}
