using MlOps.Onnx.Tests.Support;
using Xunit.Abstractions;

namespace MlOps.Onnx.Tests.Parity;

/// <summary>ONNX Runtime on the exported model gives TorchSharp's eval-mode output, layer by layer.</summary>
[Collection(TorchCollection.Name)]
public sealed class LayerParityTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(LayerSpecs.Names), MemberType = typeof(LayerSpecs))]
    public void Export_SingleLayerModel_MatchesTorchForBatches1To64(string name)
    {
        var spec = LayerSpecs.ByName[name]();
        using var model = Support.Parity.BuildTrained(spec, seed: name.Length);
        using var onnx = new OrtModel(Support.Parity.Export(spec, model));

        var worst = Support.Parity.CheckRandomInputs(spec, model, onnx, seed: 11);

        output.WriteLine($"parity {name}: max abs diff {worst:E3} over batches {string.Join("/", Support.Parity.BatchSizes)}");
    }

    [Fact]
    public void Export_GeluOnWideRange_MatchesExactErfForm()
    {
        // Far tails of the erf form: the tanh approximation would differ here by up to ~5e-4.
        var spec = LayerSpecs.ByName["gelu"]();
        using var model = Support.Parity.BuildTrained(spec, seed: 3);
        using var onnx = new OrtModel(Support.Parity.Export(spec, model));

        var worst = Support.Parity.CheckRandomInputs(spec, model, onnx, seed: 5, std: 4);

        output.WriteLine($"parity gelu (std 4): max abs diff {worst:E3}");
    }
}
