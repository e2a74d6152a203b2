using MlOps.Contracts;
using MlOps.Core.Jobs;
using static MlOps.Onnx.GraphBuilder;

namespace MlOps.Onnx;

/// <summary>
/// Writes the ONNX nodes of one spec layer. Layer <c>i</c> reads weights <c>"i.weight"</c>, <c>"i.bias"</c>, ...
/// (the names <c>ModelBuilder</c> gives them) and names its nodes <c>"i.Op"</c>, so a node maps back to
/// <c>model.layers[i]</c>. Geometry comes from <see cref="LayerGeometry"/>, as in the trainer and the validator.
/// </summary>
internal sealed class LayerEmitter(GraphBuilder graph, WeightSet weights)
{
    // GELU(x) = x * 0.5 * (1 + erf(x / sqrt(2))), the exact form TorchSharp's GELU() computes by default.
    private const float InverseSqrt2 = 0.70710678118654752440f;

    /// <summary>True for layers that write no node (dropout is the identity at inference).</summary>
    public static bool IsIdentity(Layer layer) => layer.KindCase == Layer.KindOneofCase.Dropout;

    /// <summary>Null when the exporter supports the layer, else what to call it in the error.</summary>
    public static string? Unsupported(Layer layer) => layer.KindCase switch
    {
        Layer.KindOneofCase.None => "(no kind set, or a kind this version does not know)",
        Layer.KindOneofCase.Activation when layer.Activation.Kind is not (Activation.Relu or Activation.Gelu or Activation.Sigmoid or Activation.Tanh) =>
            $"activation {layer.Activation.Kind}",
        _ => null,
    };

    /// <summary>Writes layer <c>index</c> reading value <c>input</c> (per-sample shape <c>shape</c>) and naming its
    /// final value <c>output</c>; returns the name of the value the layer produces (its input for dropout).</summary>
    public string Emit(Layer layer, int index, long[] shape, string input, string output)
    {
        var prefix = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (layer.KindCase)
        {
            case Layer.KindOneofCase.Linear:
                return Linear(layer.Linear, index, prefix, shape, input, output);
            case Layer.KindOneofCase.Activation:
                return layer.Activation.Kind switch
                {
                    Activation.Relu => graph.AddNode($"{prefix}.Relu", "Relu", [input], output),
                    Activation.Sigmoid => graph.AddNode($"{prefix}.Sigmoid", "Sigmoid", [input], output),
                    Activation.Tanh => graph.AddNode($"{prefix}.Tanh", "Tanh", [input], output),
                    _ => Gelu(prefix, input, output),
                };
            case Layer.KindOneofCase.Dropout:
                return input;
            case Layer.KindOneofCase.Flatten:
                // torch flatten(start_dim=1) keeps the batch dimension: ONNX Flatten with axis 1.
                return graph.AddNode($"{prefix}.Flatten", "Flatten", [input], output, Int("axis", 1));
            case Layer.KindOneofCase.Conv2D:
                return Conv(layer.Conv2D, index, prefix, shape, input, output);
            case Layer.KindOneofCase.BatchNorm2D:
                var channels = shape[0];
                string[] inputs =
                [
                    input,
                    graph.AddFloat($"{prefix}.weight", weights.Require($"{prefix}.weight", index, channels)),
                    graph.AddFloat($"{prefix}.bias", weights.Require($"{prefix}.bias", index, channels)),
                    graph.AddFloat($"{prefix}.running_mean", weights.Require($"{prefix}.running_mean", index, channels)),
                    graph.AddFloat($"{prefix}.running_var", weights.Require($"{prefix}.running_var", index, channels)),
                ];

                // Inference form (training_mode 0): uses the running statistics. Momentum only matters in training.
                return graph.AddNode($"{prefix}.BatchNormalization", "BatchNormalization", inputs, output,
                    Float("epsilon", (float)LayerGeometry.Eps(layer.BatchNorm2D)));
            case Layer.KindOneofCase.MaxPool2D:
                return graph.AddNode($"{prefix}.MaxPool", "MaxPool", [input], output, PoolAttributes(layer.MaxPool2D));
            case Layer.KindOneofCase.AvgPool2D:
                // torch's AvgPool2d counts the zero padding (count_include_pad=true); so must ONNX.
                return graph.AddNode($"{prefix}.AveragePool", "AveragePool", [input], output,
                    [.. PoolAttributes(layer.AvgPool2D), Int("count_include_pad", 1)]);
            case Layer.KindOneofCase.Softmax:
                return graph.AddNode($"{prefix}.Softmax", "Softmax", [input], output, Int("axis", 1));
            case Layer.KindOneofCase.Reshape:
                // 0 copies the batch dimension from the input; the sample shape may hold one -1.
                var target = graph.AddInt64($"{prefix}.shape", [0, .. layer.Reshape.Shape]);
                return graph.AddNode($"{prefix}.Reshape", "Reshape", [input, target], output);
            default:
                throw new OnnxExportException($"unsupported layer {Unsupported(layer) ?? layer.KindCase.ToString()} at position {index}");
        }
    }

    private string Linear(LinearLayer linear, int index, string prefix, long[] shape, string input, string output)
    {
        // torch keeps W as [out, in] and computes x W^T + b: Gemm with transB = 1.
        var outFeatures = linear.OutFeatures;
        List<string> inputs = [input, graph.AddFloat($"{prefix}.weight", weights.Require($"{prefix}.weight", index, outFeatures, shape[0]))];
        if (!linear.NoBias)
        {
            inputs.Add(graph.AddFloat($"{prefix}.bias", weights.Require($"{prefix}.bias", index, outFeatures)));
        }

        return graph.AddNode($"{prefix}.Gemm", "Gemm", inputs, output,
            Float("alpha", 1f), Float("beta", 1f), Int("transA", 0), Int("transB", 1));
    }

    private string Conv(Conv2dLayer conv, int index, string prefix, long[] shape, string input, string output)
    {
        var kernel = LayerGeometry.Kernel(conv);
        var stride = LayerGeometry.Stride(conv);
        var padding = LayerGeometry.Padding(conv);
        var dilation = LayerGeometry.Dilation(conv);
        var groups = LayerGeometry.Groups(conv);
        List<string> inputs =
        [
            input,
            graph.AddFloat($"{prefix}.weight", weights.Require($"{prefix}.weight", index, conv.OutChannels, shape[0] / groups, kernel.Height, kernel.Width)),
        ];
        if (!conv.NoBias)
        {
            inputs.Add(graph.AddFloat($"{prefix}.bias", weights.Require($"{prefix}.bias", index, conv.OutChannels)));
        }

        return graph.AddNode($"{prefix}.Conv", "Conv", inputs, output,
            Ints("kernel_shape", kernel.Height, kernel.Width),
            Ints("strides", stride.Height, stride.Width),
            Ints("pads", padding.Height, padding.Width, padding.Height, padding.Width), // all begins, then all ends
            Ints("dilations", dilation.Height, dilation.Width),
            Int("group", groups));
    }

    private static Protos.AttributeProto[] PoolAttributes(Pool2dLayer pool)
    {
        var kernel = LayerGeometry.Kernel(pool);
        var stride = LayerGeometry.Stride(pool);
        var padding = LayerGeometry.Padding(pool);
        return
        [
            Ints("kernel_shape", kernel.Height, kernel.Width),
            Ints("strides", stride.Height, stride.Width),
            Ints("pads", padding.Height, padding.Width, padding.Height, padding.Width),
            Int("ceil_mode", 0),
        ];
    }

    private string Gelu(string prefix, string input, string output)
    {
        // Opset 17 has no Gelu (it came in opset 20); ORT fuses this pattern back into one kernel.
        var scaled = graph.AddNode($"{prefix}.Gelu.Mul", "Mul", [input, graph.AddScalar($"{prefix}.gelu_inv_sqrt2", InverseSqrt2)], $"{prefix}.gelu_scaled");
        var erf = graph.AddNode($"{prefix}.Gelu.Erf", "Erf", [scaled], $"{prefix}.gelu_erf");
        var plusOne = graph.AddNode($"{prefix}.Gelu.Add", "Add", [erf, graph.AddScalar($"{prefix}.gelu_one", 1f)], $"{prefix}.gelu_plus_one");
        var times = graph.AddNode($"{prefix}.Gelu.Mul_1", "Mul", [input, plusOne], $"{prefix}.gelu_times");
        return graph.AddNode($"{prefix}.Gelu.Mul_2", "Mul", [times, graph.AddScalar($"{prefix}.gelu_half", 0.5f)], output);
    }
}
