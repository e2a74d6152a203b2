using MlOps.Contracts;
using MlOps.Onnx.Tests.Support;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MlOps.Onnx.Tests.Parity;

/// <summary>Whole models (the repository's MLP and CNN examples) agree with TorchSharp on random and real inputs.</summary>
[Collection(TorchCollection.Name)]
public sealed class ModelParityTests(ITestOutputHelper output)
{
    public static TheoryData<string> Examples => new() { "fashion-mnist-mlp.yaml", "fashion-mnist-cnn.yaml" };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Export_ExampleModel_MatchesTorchOnRandomInputs(string example)
    {
        var spec = LayerSpecs.Example(example);
        using var model = Support.Parity.BuildTrained(spec, seed: 42);
        using var onnx = new OrtModel(Support.Parity.Export(spec, model));

        var worst = Support.Parity.CheckRandomInputs(spec, model, onnx, seed: 7);

        output.WriteLine($"parity {example} random inputs: max abs diff {worst:E3}");
    }

    [FashionMnistFact]
    public void Export_MlpTrainedOnFashionMnist_MatchesTorchOnTestImages() => CheckRealImages("fashion-mnist-mlp.yaml");

    [FashionMnistFact]
    public void Export_CnnTrainedOnFashionMnist_MatchesTorchOnTestImages() => CheckRealImages("fashion-mnist-cnn.yaml");

    [FashionMnistFact]
    public void Export_CnnWithSoftmaxHead_ProbabilitiesMatchTorchAndArgmaxMatchesLogits()
    {
        var spec = LayerSpecs.Example("fashion-mnist-cnn.yaml");
        spec.Layers.Add(new Layer { Softmax = new SoftmaxLayer() });
        using var model = TrainOnFashionMnist(spec, steps: 10);
        using var onnx = new OrtModel(Support.Parity.Export(spec, model));
        var images = FashionMnistFactAttribute.Normalized(FashionMnistFactAttribute.Data.Test, 0, 64);

        var diff = Support.Parity.MaxAbsDiff(model, onnx, spec, images, 64);

        Assert.True(diff <= Support.Parity.Tolerance, $"max abs diff {diff:E3}");
        var (probabilities, _) = onnx.Run(images, [64, 1, 28, 28]);
        for (var row = 0; row < 64; row++)
        {
            Assert.Equal(1.0, probabilities.AsSpan(row * 10, 10).ToArray().Sum(), 4);
        }

        output.WriteLine($"parity cnn+softmax real images: max abs diff {diff:E3}");
    }

    private void CheckRealImages(string example)
    {
        var spec = LayerSpecs.Example(example);
        using var model = TrainOnFashionMnist(spec, steps: 15);
        using var onnx = new OrtModel(Support.Parity.Export(spec, model));
        var test = FashionMnistFactAttribute.Data.Test;

        double worst = 0;
        var start = 0;
        foreach (var batch in Support.Parity.BatchSizes)
        {
            var images = FashionMnistFactAttribute.Normalized(test, start, batch);
            var diff = Support.Parity.MaxAbsDiff(model, onnx, spec, images, batch);
            Assert.True(diff <= Support.Parity.Tolerance, $"batch {batch}: max abs diff {diff:E3}");
            worst = Math.Max(worst, diff);
            start += batch;
        }

        output.WriteLine($"parity {example} real test images: max abs diff {worst:E3}");
    }

    /// <summary>A few Adam steps with cross-entropy on real training images, so activations look like a trained model's.</summary>
    private static Sequential TrainOnFashionMnist(ModelSpec spec, int steps)
    {
        manual_seed(1);
        var model = Training.Models.ModelBuilder.Build(spec, Training.Models.ModelOutput.Logits);
        var train = FashionMnistFactAttribute.Data.Train;
        using var optimizer = optim.Adam(model.parameters(), 0.002);
        model.train();
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            const int Batch = 64;
            var x = tensor(FashionMnistFactAttribute.Normalized(train, step * Batch, Batch), [Batch, 1, 28, 28]);
            var y = tensor(train.Labels.AsSpan(step * Batch, Batch).ToArray(), [Batch], ScalarType.Byte).to_type(ScalarType.Int64);
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.forward(x), y).backward();
            optimizer.step();
        }

        model.eval();
        if (!Training.Models.ModelBuilder.EndsInSoftmax(spec))
        {
            return model;
        }

        // The trained logits model plus the softmax: same weights, the module the exported graph mirrors.
        var full = Training.Models.ModelBuilder.Build(spec);
        full.load_state_dict(model.state_dict());
        full.eval();
        model.Dispose();
        return full;
    }
}
