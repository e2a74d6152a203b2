using MlOps.Contracts;
using MlOps.Training.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlOps.Onnx.Tests.Support;

/// <summary>Builds a spec in TorchSharp, moves its weights away from their initial values, exports it and compares
/// TorchSharp's eval-mode output with ONNX Runtime's.</summary>
public static class Parity
{
    /// <summary>The bound the issue sets for fp32 parity.</summary>
    public const double Tolerance = 1e-4;

    public static readonly int[] BatchSizes = [1, 7, 64];

    /// <summary>
    /// Builds <paramref name="spec"/> from <paramref name="seed"/> and runs a few Adam steps (train mode) on random
    /// inputs against random targets, so weights, biases and BatchNorm running statistics are all non-trivial.
    /// </summary>
    public static Sequential BuildTrained(ModelSpec spec, int seed, int steps = 4)
    {
        manual_seed(seed);
        var model = ModelBuilder.Build(spec);
        model.train();
        var parameters = model.parameters().ToList();
        using var optimizer = parameters.Count > 0 ? optim.Adam(parameters, 0.01) : null;
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var x = (randn([16, .. spec.InputShape]) * 1.5) + 0.3;
            var y = model.forward(x);
            if (optimizer is null)
            {
                continue; // a forward pass in train mode is all a parameter-free model has to learn
            }

            optimizer.zero_grad();
            (y - randn_like(y)).square().mean().backward();
            optimizer.step();
        }

        model.eval();
        return model;
    }

    public static byte[] Export(ModelSpec spec, nn.Module model, string name = "parity") =>
        OnnxExporter.Export(spec, ModelWeights.Extract(model), new OnnxExportOptions { ModelName = name });

    /// <summary>Runs <paramref name="batch"/> samples through both; asserts the shapes agree; returns max |torch - ort|.</summary>
    public static double MaxAbsDiff(nn.Module<Tensor, Tensor> model, OrtModel onnx, ModelSpec spec, float[] input, int batch)
    {
        long[] shape = [batch, .. spec.InputShape];
        float[] expected;
        long[] expectedShape;
        using (no_grad())
        using (NewDisposeScope())
        {
            var output = model.forward(tensor(input, shape));
            expected = output.contiguous().data<float>().ToArray();
            expectedShape = output.shape;
        }

        var (actual, actualShape) = onnx.Run(input, shape);
        Assert.Equal(expectedShape, actualShape);
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.False(float.IsNaN(expected[i]) || float.IsNaN(actual[i]), $"NaN at {i}");
            max = Math.Max(max, Math.Abs(expected[i] - actual[i]));
        }

        return max;
    }

    /// <summary>Compares every batch size of <see cref="BatchSizes"/> on random inputs; returns the largest difference.</summary>
    public static double CheckRandomInputs(ModelSpec spec, nn.Module<Tensor, Tensor> model, OrtModel onnx, int seed, double std = 1.5)
    {
        var sample = spec.InputShape.Aggregate(1L, (a, b) => a * b);
        double worst = 0;
        foreach (var batch in BatchSizes)
        {
            var input = RandomInputs.Normal(seed + batch, batch * sample, mean: 0.2, std: std);
            var diff = MaxAbsDiff(model, onnx, spec, input, batch);
            Assert.True(diff <= Tolerance, $"batch {batch}: max abs diff {diff:E3} > {Tolerance:E0}");
            worst = Math.Max(worst, diff);
        }

        return worst;
    }
}
