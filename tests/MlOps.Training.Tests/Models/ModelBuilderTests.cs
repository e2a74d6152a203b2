using MlOps.Contracts;
using MlOps.Training.Models;
using MlOps.Training.Tests.Support;
using TorchSharp;

namespace MlOps.Training.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class ModelBuilderTests
{
    [Fact]
    public void Build_Mlp_MapsImagesToTenScores()
    {
        using var model = ModelBuilder.Build(Specs.Mlp(256, 128));
        using var input = torch.zeros(4, 1, 28, 28);

        using var output = model.forward(input);

        Assert.Equal([4L, 10L], output.shape);
    }

    [Fact]
    public void Build_Mlp_InfersInFeaturesAndNamesByLayerIndex()
    {
        using var model = ModelBuilder.Build(Specs.Mlp(256, 128));

        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);

        Assert.Equal(["1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"], parameters.Keys.ToArray());
        Assert.Equal([256L, 784L], parameters["1.weight"]);
        Assert.Equal([128L, 256L], parameters["3.weight"]);
        Assert.Equal([10L, 128L], parameters["5.weight"]);
        Assert.Equal(["0", "1", "2", "3", "4", "5"], model.named_children().Select(c => c.name).ToArray());
    }

    [Fact]
    public void Build_EveryActivationAndDropout_Runs()
    {
        var spec = new ModelSpec { InputShape = { 6 } };
        spec.Layers.Add(new Layer { Linear = new LinearLayer { OutFeatures = 5, NoBias = true } });
        foreach (var kind in new[] { Activation.Relu, Activation.Gelu, Activation.Sigmoid, Activation.Tanh })
        {
            spec.Layers.Add(new Layer { Activation = new ActivationLayer { Kind = kind } });
        }

        spec.Layers.Add(new Layer { Dropout = new DropoutLayer { P = 0.25 } });
        spec.Layers.Add(new Layer { Linear = new LinearLayer { OutFeatures = 3 } });

        using var model = ModelBuilder.Build(spec);
        model.eval();
        using var output = model.forward(torch.ones(2, 6));

        Assert.Equal([2L, 3L], output.shape);
        Assert.Equal(["0.weight", "6.weight", "6.bias"], model.named_parameters().Select(p => p.name).ToArray());
        Assert.Equal(0.25, ((TorchSharp.Modules.Dropout)model.named_children().Single(c => c.name == "5").module).p);
    }

    [Fact]
    public void Build_SameSeed_SameWeights()
    {
        torch.manual_seed(42);
        using var a = ModelBuilder.Build(Specs.Mlp(16));
        torch.manual_seed(42);
        using var b = ModelBuilder.Build(Specs.Mlp(16));

        foreach (var ((name, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
        {
            Assert.True(pa.eq(pb).all().item<bool>(), name);
        }
    }

    [Fact]
    public void Build_LinearOnImageWithoutFlatten_ThrowsNamingLayer()
    {
        var spec = new ModelSpec { InputShape = { 1, 28, 28 } };
        spec.Layers.Add(new Layer { Activation = new ActivationLayer { Kind = Activation.Relu } });
        spec.Layers.Add(new Layer { Linear = new LinearLayer { OutFeatures = 10 } });

        var ex = Assert.Throws<ArgumentException>(() => ModelBuilder.Build(spec));

        Assert.Contains("model.layers[1].linear", ex.Message);
        Assert.Contains("flatten", ex.Message);
    }

    [Fact]
    public void Build_LayerWithoutKind_ThrowsNamingLayer()
    {
        var spec = Specs.Mlp(8);
        spec.Layers.Insert(2, new Layer());

        var ex = Assert.Throws<ArgumentException>(() => ModelBuilder.Build(spec));

        Assert.Contains("model.layers[2]", ex.Message);
    }

    [Fact]
    public void Build_UnspecifiedActivation_ThrowsNamingLayer()
    {
        var spec = Specs.Mlp(8);
        spec.Layers[2].Activation.Kind = Activation.Unspecified;

        var ex = Assert.Throws<ArgumentException>(() => ModelBuilder.Build(spec));

        Assert.Contains("model.layers[2].activation", ex.Message);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Build_DropoutOutOfRange_ThrowsNamingLayer(double p)
    {
        var spec = Specs.Mlp(8);
        spec.Layers.Insert(3, new Layer { Dropout = new DropoutLayer { P = p } });

        var ex = Assert.Throws<ArgumentException>(() => ModelBuilder.Build(spec));

        Assert.Contains("model.layers[3].dropout.p", ex.Message);
    }

    [Fact]
    public void Build_ZeroOutFeatures_ThrowsNamingLayer()
    {
        var spec = Specs.Mlp(8);
        spec.Layers[1].Linear.OutFeatures = 0;

        var ex = Assert.Throws<ArgumentException>(() => ModelBuilder.Build(spec));

        Assert.Contains("model.layers[1].linear.out_features", ex.Message);
    }

    [Fact]
    public void Build_NoInputShapeOrLayers_ThrowsNamingBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelBuilder.Build(new ModelSpec()));

        Assert.Contains("model.input_shape", ex.Message);
        Assert.Contains("model.layers", ex.Message);
    }
}
