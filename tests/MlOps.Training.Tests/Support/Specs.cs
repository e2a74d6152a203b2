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

    /// <summary>A small CNN over [1, 28, 28]: conv(4, 3x3, pad 1), batch norm, ReLU, max pool 2, flatten, linear(10),
    /// optionally softmax.</summary>
    public static ModelSpec SmallCnn(bool softmax = false)
    {
        var spec = new ModelSpec { InputShape = { 1, 28, 28 } };
        spec.Layers.Add(new Layer { Conv2D = new Conv2dLayer { OutChannels = 4, KernelSize = { 3 }, Padding = { 1 } } });
        spec.Layers.Add(new Layer { BatchNorm2D = new BatchNorm2dLayer() });
        spec.Layers.Add(new Layer { Activation = new ActivationLayer { Kind = Activation.Relu } });
        spec.Layers.Add(new Layer { MaxPool2D = new Pool2dLayer { KernelSize = { 2 } } });
        spec.Layers.Add(new Layer { Flatten = new FlattenLayer() });
        spec.Layers.Add(new Layer { Linear = new LinearLayer { OutFeatures = 10 } });
        if (softmax)
        {
            spec.Layers.Add(new Layer { Softmax = new SoftmaxLayer() });
        }

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
