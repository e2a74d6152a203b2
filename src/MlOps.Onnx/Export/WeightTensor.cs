namespace MlOps.Onnx;

/// <summary>
/// One trained float32 tensor in a framework-neutral form: its shape and its values in row-major (C) order.
/// The exporter takes a dictionary of these keyed by state-dict name (<c>"0.weight"</c>, <c>"1.running_mean"</c>,
/// ...), so it needs no TorchSharp; <c>MlOps.Training.Models.ModelWeights.Extract</c> makes one from a module.
/// </summary>
/// <param name="Shape">Dimensions; empty for a scalar.</param>
/// <param name="Data">Exactly the product of <paramref name="Shape"/> values.</param>
public sealed record WeightTensor(long[] Shape, float[] Data)
{
    /// <summary>The number of values the shape holds.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as <c>[a, b, c]</c>, for messages.</summary>
    public string DescribeShape() => Describe(Shape);

    internal static string Describe(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
