using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Testing;

namespace MlOps.Onnx.Tests.Support;

/// <summary>Small specs, one per supported layer configuration, and the repository's example models.</summary>
public static class LayerSpecs
{
    public static readonly IReadOnlyDictionary<string, Func<ModelSpec>> ByName = new Dictionary<string, Func<ModelSpec>>
    {
        ["linear"] = () => Spec([20], Linear(7)),
        ["linear_no_bias"] = () => Spec([20], new Layer { Linear = new LinearLayer { OutFeatures = 5, NoBias = true } }),
        ["relu"] = () => Spec([3, 5, 6], Act(Activation.Relu)),
        ["gelu"] = () => Spec([3, 5, 6], Act(Activation.Gelu)),
        ["gelu_after_linear"] = () => Spec([40], Linear(16), Act(Activation.Gelu)),
        ["sigmoid"] = () => Spec([3, 5, 6], Act(Activation.Sigmoid)),
        ["tanh"] = () => Spec([3, 5, 6], Act(Activation.Tanh)),
        ["dropout"] = () => Spec([20], Dropout(0.5), Linear(4)),
        ["dropout_last"] = () => Spec([20], Linear(4), Dropout(0.3)),
        ["flatten"] = () => Spec([3, 5, 6], Flatten()),
        ["conv_stride_padding_dilation_groups"] = () => Spec([4, 11, 13], Conv(6, [3, 5], stride: [2, 1], padding: [1, 2], dilation: [2, 1], groups: 2)),
        ["conv_defaults_no_bias"] = () => Spec([3, 9, 9], new Layer { Conv2D = new Conv2dLayer { OutChannels = 4, KernelSize = { 3 }, NoBias = true } }),
        ["conv_depthwise"] = () => Spec([4, 8, 8], Conv(8, [3], padding: [1], groups: 4)),
        ["batch_norm"] = () => Spec([3, 7, 9], new Layer { BatchNorm2D = new BatchNorm2dLayer() }),
        ["conv_batch_norm_eps_momentum"] = () => Spec([3, 7, 9], Conv(5, [3]), new Layer { BatchNorm2D = new BatchNorm2dLayer { Eps = 1e-3, Momentum = 0.3 } }),
        ["max_pool"] = () => Spec([3, 11, 13], MaxPool([3], stride: [2], padding: [1])),
        ["max_pool_rect"] = () => Spec([3, 11, 13], MaxPool([2, 3], stride: [2, 1], padding: [1, 1])),
        ["max_pool_default_stride"] = () => Spec([2, 8, 8], MaxPool([2])),
        ["avg_pool"] = () => Spec([3, 11, 13], AvgPool([3], stride: [2], padding: [1])),
        ["avg_pool_rect"] = () => Spec([3, 11, 13], AvgPool([3, 2], stride: [1, 2], padding: [1, 1])),
        ["softmax"] = () => Spec([20], Linear(10), new Layer { Softmax = new SoftmaxLayer() }),
        ["reshape"] = () => Spec([3, 4, 6], new Layer { Reshape = new ReshapeLayer { Shape = { 12, -1 } } }),
        ["reshape_to_image"] = () => Spec([48], new Layer { Reshape = new ReshapeLayer { Shape = { 3, 4, 4 } } }, Conv(2, [3]), Flatten(), Linear(3)),
        ["everything"] = Everything,
    };

    public static IEnumerable<object[]> Names => ByName.Keys.Select(k => new object[] { k });

    /// <summary>Every layer kind in one model: conv, batch norm, each activation, both pools, reshape, dropout, softmax.</summary>
    public static ModelSpec Everything() => Spec(
        [1, 12, 12],
        Conv(4, [3], padding: [1]),
        new Layer { BatchNorm2D = new BatchNorm2dLayer() },
        Act(Activation.Gelu),
        AvgPool([2], padding: [1]),
        Conv(6, [3], groups: 2),
        MaxPool([2]),
        Act(Activation.Sigmoid),
        new Layer { Reshape = new ReshapeLayer { Shape = { 6, -1 } } },
        Flatten(),
        Linear(16),
        Act(Activation.Tanh),
        Dropout(0.2),
        Linear(8),
        Act(Activation.Relu),
        Linear(5),
        new Layer { Softmax = new SoftmaxLayer() });

    public static ModelSpec Example(string fileName) =>
        JobSpecYaml.LoadFile(Path.Combine(BuiltBinaries.RepoRoot, "examples", fileName)).Model;

    public static ModelSpec Spec(long[] input, params Layer[] layers)
    {
        var spec = new ModelSpec { InputShape = { input } };
        spec.Layers.Add(layers);
        return spec;
    }

    public static Layer Linear(long outFeatures) => new() { Linear = new LinearLayer { OutFeatures = outFeatures } };

    public static Layer Act(Activation kind) => new() { Activation = new ActivationLayer { Kind = kind } };

    public static Layer Dropout(double p) => new() { Dropout = new DropoutLayer { P = p } };

    public static Layer Flatten() => new() { Flatten = new FlattenLayer() };

    public static Layer Conv(long outChannels, long[] kernel, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 0) =>
        new()
        {
            Conv2D = new Conv2dLayer
            {
                OutChannels = outChannels,
                KernelSize = { kernel },
                Stride = { stride ?? [] },
                Padding = { padding ?? [] },
                Dilation = { dilation ?? [] },
                Groups = groups,
            },
        };

    public static Layer MaxPool(long[] kernel, long[]? stride = null, long[]? padding = null) =>
        new() { MaxPool2D = Pool(kernel, stride, padding) };

    public static Layer AvgPool(long[] kernel, long[]? stride = null, long[]? padding = null) =>
        new() { AvgPool2D = Pool(kernel, stride, padding) };

    private static Pool2dLayer Pool(long[] kernel, long[]? stride, long[]? padding) =>
        new() { KernelSize = { kernel }, Stride = { stride ?? [] }, Padding = { padding ?? [] } };
}
