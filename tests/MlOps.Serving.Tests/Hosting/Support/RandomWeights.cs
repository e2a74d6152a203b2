using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Onnx;

namespace MlOps.Serving.Tests.Hosting.Support;

/// <summary>
/// Weights for every layer of a spec, drawn like torch's default initialisation (uniform ±1/√fan-in) from a seeded
/// generator, so tests and the serving bench export real models without TorchSharp. BatchNorm gets running
/// statistics near 0 and 1. Shared with perf/MlOps.ServingBench (linked source).
/// </summary>
public static class RandomWeights
{
    public static Dictionary<string, WeightTensor> For(ModelSpec spec, int seed)
    {
        var random = new Random(seed);
        var weights = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        var shape = spec.InputShape.ToArray();
        var prefix = new ModelSpec { InputShape = { spec.InputShape } };
        for (var i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            switch (layer.KindCase)
            {
                case Layer.KindOneofCase.Linear:
                    var outFeatures = layer.Linear.OutFeatures;
                    Add(weights, $"{i}.weight", [outFeatures, shape[0]], Uniform(random, 1 / Math.Sqrt(shape[0])));
                    if (!layer.Linear.NoBias)
                    {
                        Add(weights, $"{i}.bias", [outFeatures], Uniform(random, 1 / Math.Sqrt(shape[0])));
                    }

                    break;
                case Layer.KindOneofCase.Conv2D:
                    var conv = layer.Conv2D;
                    var kernel = LayerGeometry.Kernel(conv);
                    var perGroup = shape[0] / LayerGeometry.Groups(conv);
                    var fanIn = perGroup * kernel.Height * kernel.Width;
                    Add(weights, $"{i}.weight", [conv.OutChannels, perGroup, kernel.Height, kernel.Width], Uniform(random, 1 / Math.Sqrt(fanIn)));
                    if (!conv.NoBias)
                    {
                        Add(weights, $"{i}.bias", [conv.OutChannels], Uniform(random, 1 / Math.Sqrt(fanIn)));
                    }

                    break;
                case Layer.KindOneofCase.BatchNorm2D:
                    var channels = shape[0];
                    Add(weights, $"{i}.weight", [channels], () => 1 + (float)((random.NextDouble() - 0.5) * 0.2));
                    Add(weights, $"{i}.bias", [channels], Uniform(random, 0.1));
                    Add(weights, $"{i}.running_mean", [channels], Uniform(random, 0.1));
                    Add(weights, $"{i}.running_var", [channels], () => 1 + (float)(random.NextDouble() * 0.2));
                    break;
            }

            prefix.Layers.Add(layer);
            shape = ModelShapes.OutputShape(prefix) ?? throw new ArgumentException($"layer {i} cannot take its input", nameof(spec));
        }

        return weights;
    }

    private static Func<float> Uniform(Random random, double bound) => () => (float)((random.NextDouble() * 2 - 1) * bound);

    private static void Add(Dictionary<string, WeightTensor> weights, string name, long[] shape, Func<float> next)
    {
        var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = next();
        }

        weights[name] = new WeightTensor(shape, data);
    }
}
