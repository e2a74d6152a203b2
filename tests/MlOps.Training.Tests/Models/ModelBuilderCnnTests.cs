using MlOps.Contracts;
using MlOps.Training.Models;
using MlOps.Training.Tests.Support;
using TorchSharp;

namespace MlOps.Training.Tests.Models;

/// <summary>The image layers: conv2d, batch_norm2d, pooling, reshape and softmax.</summary>
[Collection(TorchCollection.Name)]
public sealed class ModelBuilderCnnTests
{
    [Fact]
    public void Build_SmallCnn_MapsImagesToTenScoresWithIndexNames()
    {
        using var model = ModelBuilder.Build(Specs.SmallCnn());
        using var output = model.forward(torch.zeros(3, 1, 28, 28));

        Assert.Equal([3L, 10L], output.shape);
        Assert.Equal(
            ["0.weight", "0.bias", "1.weight", "1.bias", "5.weight", "5.bias"],
            model.named_parameters().Select(p => p.name).ToArray());
        Assert.Equal(["1.running_mean", "1.running_var", "1.num_batches_tracked"], model.named_buffers().Select(b => b.name).ToArray());
        Assert.Equal([4L, 1L, 3L, 3L], model.named_parameters().Single(p => p.name == "0.weight").parameter.shape);
        Assert.Equal([10L, 4L * 14 * 14], model.named_parameters().Single(p => p.name == "5.weight").parameter.shape);
    }

    [Fact]
    public void Build_ConvWithStridePaddingDilationGroups_FollowsLayerGeometry()
    {
        var spec = new ModelSpec { InputShape = { 4, 11, 13 } };
        spec.Layers.Add(new Layer
        {
            Conv2D = new Conv2dLayer { OutChannels = 6, KernelSize = { 3, 5 }, Stride = { 2, 1 }, Padding = { 1, 2 }, Dilation = { 2, 1 }, Groups = 2, NoBias = true },
        });

        using var model = ModelBuilder.Build(spec);
        using var output = model.forward(torch.zeros(2, 4, 11, 13));

        Assert.Equal([2L, 6L, 5L, 13L], output.shape);
        var weight = Assert.Single(model.named_parameters());
        Assert.Equal("0.weight", weight.name);
        Assert.Equal([6L, 2L, 3L, 5L], weight.parameter.shape);
    }

    [Fact]
    public void Build_BatchNorm_TakesEpsAndMomentumOrTheirDefaults()
    {
        var spec = new ModelSpec { InputShape = { 3, 4, 4 } };
        spec.Layers.Add(new Layer { BatchNorm2D = new BatchNorm2dLayer { Eps = 1e-3, Momentum = 0.25 } });
        spec.Layers.Add(new Layer { BatchNorm2D = new BatchNorm2dLayer() });

        using var model = ModelBuilder.Build(spec);
        var first = (TorchSharp.Modules.BatchNorm2d)model.named_children().Single(c => c.name == "0").module;
        var second = (TorchSharp.Modules.BatchNorm2d)model.named_children().Single(c => c.name == "1").module;

        Assert.Equal(1e-3, first.eps);
        Assert.Equal(0.25, first.momentum);
        Assert.Equal(1e-5, second.eps);
        Assert.Equal(0.1, second.momentum);
    }

    [Fact]
    public void Build_AvgPoolWithPadding_CountsPaddedZeros()
    {
        var spec = new ModelSpec { InputShape = { 1, 3, 3 } };
        spec.Layers.Add(new Layer { AvgPool2D = new Pool2dLayer { KernelSize = { 3 }, Stride = { 1 }, Padding = { 1 } } });

        using var model = ModelBuilder.Build(spec);
        using var output = model.forward(torch.ones(1, 1, 3, 3));

        // The corner window covers 4 real ones and 5 padded zeros: 4/9 with count_include_pad, 1 without.
        Assert.Equal(4f / 9f, output[0, 0, 0, 0].item<float>(), 5);
        Assert.Equal(1f, output[0, 0, 1, 1].item<float>(), 5);
    }

    [Fact]
    public void Build_MaxPoolWithoutStride_StrideIsKernel()
    {
        var spec = new ModelSpec { InputShape = { 2, 8, 6 } };
        spec.Layers.Add(new Layer { MaxPool2D = new Pool2dLayer { KernelSize = { 2, 3 } } });

        using var model = ModelBuilder.Build(spec);
        using var output = model.forward(torch.zeros(5, 2, 8, 6));

        Assert.Equal([5L, 2L, 4L, 2L], output.shape);
    }

    [Fact]
    public void Build_Reshape_KeepsBatchAndInfersMinusOne()
    {
        var spec = new ModelSpec { InputShape = { 3, 4, 6 } };
        spec.Layers.Add(new Layer { Reshape = new ReshapeLayer { Shape = { 12, -1 } } });

        using var model = ModelBuilder.Build(spec);
        using var input = torch.arange(2 * 72, dtype: torch.float32).reshape(2, 3, 4, 6);
        using var output = model.forward(input);

        Assert.Equal([2L, 12L, 6L], output.shape);
        Assert.Equal(72f, output[1, 0, 0].item<float>());
        Assert.Empty(model.named_parameters());
    }

    [Fact]
    public void Build_SoftmaxLast_AsSpecifiedGivesProbabilitiesLogitsLeavesItOut()
    {
        var spec = Specs.SmallCnn(softmax: true);

        using var full = ModelBuilder.Build(spec);
        using var logits = ModelBuilder.Build(spec, ModelOutput.Logits);
        full.eval();
        using var sums = full.forward(torch.randn(4, 1, 28, 28)).sum(1);

        Assert.True(ModelBuilder.EndsInSoftmax(spec));
        Assert.Equal(7, full.named_children().Count());
        Assert.Equal(6, logits.named_children().Count());
        Assert.All(sums.data<float>().ToArray(), s => Assert.Equal(1f, s, 5));
        Assert.Equal(full.state_dict().Keys.ToArray(), logits.state_dict().Keys.ToArray());
    }

    [Fact]
    public void Build_LogitsWithoutSoftmax_BuildsEveryLayer()
    {
        using var model = ModelBuilder.Build(Specs.SmallCnn(), ModelOutput.Logits);

        Assert.Equal(6, model.named_children().Count());
    }

    [Fact]
    public void Build_SoftmaxNotLast_ThrowsNamingLayer()
    {
        var spec = Specs.Mlp(8);
        spec.Layers.Insert(2, new Layer { Softmax = new SoftmaxLayer() });

        var ex = Assert.Throws<ArgumentException>(() => ModelBuilder.Build(spec));

        Assert.Contains("model.layers[2].softmax", ex.Message);
    }

    [Fact]
    public void Build_ConvOnFlatInput_ThrowsNamingLayer()
    {
        var spec = new ModelSpec { InputShape = { 784 } };
        spec.Layers.Add(new Layer { Conv2D = new Conv2dLayer { OutChannels = 4, KernelSize = { 3 } } });

        var ex = Assert.Throws<ArgumentException>(() => ModelBuilder.Build(spec));

        Assert.Contains("model.layers[0]", ex.Message);
        Assert.Contains("image", ex.Message);
    }
}
