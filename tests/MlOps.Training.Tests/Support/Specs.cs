using MlOps.Contracts;

namespace MlOps.Training.Tests.Support;

/// <summary>Model specs and hyper-parameters the tests share.</summary>
public static class Specs
{
    /// <summary>Flatten, Linear(hidden), ReLU, [Dropout], Linear(10) over [1, 28, 28].</summary>
    public static ModelSpec Mlp(params long[] hidden)
    {
        var spec = new ModelSpec { InputShape = { 1, 28, 28 } };
        spec.Layers.Add(new Layer { Flatten = new FlattenLayer() });
        foreach (var width in hidden)
        {
            spec.Layers.Add(new Layer { Linear = new LinearLayer { OutFeatures = width } });
            spec.Layers.Add(new Layer { Activation = new ActivationLayer { Kind = Activation.Relu } });
        }

        spec.Layers.Add(new Layer { Linear = new LinearLayer { OutFeatures = 10 } });
        return spec;
    }

    public static HyperParameters Adam(int epochs = 2, int batchSize = 32, double learningRate = 0.001) => new()
    {
        Optimizer = Optimizer.Adam,
        LearningRate = learningRate,
        BatchSize = batchSize,
        Epochs = epochs,
    };
}
