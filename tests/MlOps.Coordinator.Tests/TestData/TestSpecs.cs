using MlOps.Contracts;

namespace MlOps.Coordinator.Tests.TestData;

/// <summary>Job specs for tests: a valid small MLP for the tiny dataset, to be broken field by field.</summary>
public static class TestSpecs
{
    public const string TinyDataset = "tiny";

    public static JobSpec Valid(string name = "tiny-mlp", int priority = 0, int cpuCores = 1, long memoryMb = 100, int gpus = 0)
    {
        var model = new ModelSpec();
        model.InputShape.AddRange(FourPixelDataset.SampleShape);
        model.Layers.Add(new Layer { Flatten = new FlattenLayer() });
        model.Layers.Add(new Layer { Linear = new LinearLayer { OutFeatures = 16 } });
        model.Layers.Add(new Layer { Activation = new ActivationLayer { Kind = Activation.Relu } });
        model.Layers.Add(new Layer { Linear = new LinearLayer { OutFeatures = 10 } });
        return new JobSpec
        {
            Name = name,
            Dataset = new DatasetRef { Name = TinyDataset },
            Model = model,
            HyperParameters = new HyperParameters { Optimizer = Optimizer.Adam, LearningRate = 0.001, BatchSize = 4, Epochs = 1 },
            Seed = 1,
            Priority = priority,
            Resources = new Resources { CpuCores = cpuCores, MemoryMb = memoryMb, Gpus = gpus },
        };
    }
}
