using MlOps.Contracts;
using MlOps.Core.Jobs;
using static TorchSharp.torch;

namespace MlOps.Training.Models;

/// <summary>The TorchSharp module of each spec layer, with the geometry <see cref="LayerGeometry"/> defines.</summary>
internal static class LayerModules
{
    /// <summary>A factory for the module of a valid <paramref name="layer"/> whose per-sample input is <paramref name="shape"/>.</summary>
    public static Func<nn.Module<Tensor, Tensor>> Factory(Layer layer, long[] shape)
    {
        switch (layer.KindCase)
        {
            case Layer.KindOneofCase.Linear:
                var linear = layer.Linear;
                var inFeatures = shape[0];
                return () => nn.Linear(inFeatures, linear.OutFeatures, hasBias: !linear.NoBias);
            case Layer.KindOneofCase.Activation:
                return layer.Activation.Kind switch
                {
                    Activation.Relu => () => nn.ReLU(),
                    Activation.Gelu => () => nn.GELU(), // exact (erf) form; the exporter writes the same
                    Activation.Sigmoid => () => nn.Sigmoid(),
                    Activation.Tanh => () => nn.Tanh(),
                    _ => throw Unexpected(layer),
                };
            case Layer.KindOneofCase.Dropout:
                var p = layer.Dropout.P;
                return () => nn.Dropout(p);
            case Layer.KindOneofCase.Flatten:
                // nn.Flatten() keeps the batch dimension and flattens the rest, which is the spec's per-sample flatten.
                return () => nn.Flatten();
            case Layer.KindOneofCase.Conv2D:
                return Conv(layer.Conv2D, shape[0]);
            case Layer.KindOneofCase.BatchNorm2D:
                var channels = shape[0];
                var eps = LayerGeometry.Eps(layer.BatchNorm2D);
                var momentum = LayerGeometry.Momentum(layer.BatchNorm2D);
                return () => nn.BatchNorm2d(channels, eps, momentum);
            case Layer.KindOneofCase.MaxPool2D:
                var (maxKernel, maxStride, maxPadding) = Pool(layer.MaxPool2D);
                return () => nn.MaxPool2d(maxKernel, maxStride, maxPadding);
            case Layer.KindOneofCase.AvgPool2D:
                // count_include_pad = true (torch's default): padded zeros count in the divisor, as in the exported model.
                var (avgKernel, avgStride, avgPadding) = Pool(layer.AvgPool2D);
                return () => nn.AvgPool2d(avgKernel, avgStride, avgPadding, ceil_mode: false, count_include_pad: true);
            case Layer.KindOneofCase.Softmax:
                return () => nn.Softmax(1);
            case Layer.KindOneofCase.Reshape:
                long[] target = [.. layer.Reshape.Shape];
                return () => new ReshapeModule(target);
            default:
                throw Unexpected(layer);
        }
    }

    private static Func<nn.Module<Tensor, Tensor>> Conv(Conv2dLayer conv, long inChannels)
    {
        var kernel = LayerGeometry.Kernel(conv);
        var stride = LayerGeometry.Stride(conv);
        var padding = LayerGeometry.Padding(conv);
        var dilation = LayerGeometry.Dilation(conv);
        var groups = LayerGeometry.Groups(conv);
        var outChannels = conv.OutChannels;
        var bias = !conv.NoBias;
        return () => nn.Conv2d(
            inChannels, outChannels, (kernel.Height, kernel.Width),
            stride: (stride.Height, stride.Width),
            padding: (padding.Height, padding.Width),
            dilation: (dilation.Height, dilation.Width),
            groups: groups,
            bias: bias);
    }

    private static ((long, long) Kernel, (long, long) Stride, (long, long) Padding) Pool(Pool2dLayer pool)
    {
        var kernel = LayerGeometry.Kernel(pool);
        var stride = LayerGeometry.Stride(pool);
        var padding = LayerGeometry.Padding(pool);
        return ((kernel.Height, kernel.Width), (stride.Height, stride.Width), (padding.Height, padding.Width));
    }

    private static InvalidOperationException Unexpected(Layer layer) =>
        new($"layer kind {layer.KindCase} passed validation but has no module; ModelBuilder must learn it");
}
